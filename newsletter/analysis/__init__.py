"""What the community's sharing says about it: the contact ledger and the network
(brokers, dormant ties, reciprocity, introductions to make).

Pure functions of the model. May import only ``newsletter.core``.
"""
