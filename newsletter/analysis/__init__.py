"""What the community's sharing says about it: the contact ledger (``contacts``), the
network (``network``: brokers, dormant ties, reciprocity, introductions to make), and
both as people read them (``report``: tables of text, the network report's sections).

Pure functions of the model: nothing here reads a file or the clock, or prints. May
import only ``newsletter.core``.
"""
