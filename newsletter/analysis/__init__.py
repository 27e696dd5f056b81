"""What the community's sharing says about it: the contact ledger (``contacts``), the
network (``network``: ties, brokers, dormant ties, reciprocity; ``introductions``: the
introductions to make), the asks (``asks``: what became of each; ``helpers``: who could
answer those still open, ranked with a retrieval model over ``text``'s stems and
phrases), and all of it as people and other tools read it (``report``: tables of text
and the network report's sections; ``asklist``: the asks as a list, JSON and CSV).

Pure functions of the model: nothing here reads a file or the clock, or prints. May
import only ``newsletter.core``.
"""
