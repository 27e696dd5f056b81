"""Sending editions by email, and the lists that decide who gets them.

A face over the pipeline, beside ``preview`` and ``authoring``; none of the three imports
another. May import the pipeline and everything below it; of the pipeline, a send takes
only the site in memory (``pipeline.build.site_in_memory``), as the build makes it.

- ``subscribers``: the private subscribers CSV and the suppression list.
- ``message``: an edition → one MIME message per recipient; headers checked.
- ``ledger``: the delivery ledger (SQLite, WAL) that makes a send resumable.
- ``smtp``: SMTP settings from the environment, and a polite, reconnecting sender.
- ``send``: what a send would do (the edition, who gets it), a dry run, a test copy,
  unsubscribe.
- ``campaign``: everyone mailed through the ledger: claim, send, record, retry.
- ``mailbox``: unsubscribe requests and bounces from the editors' IMAP mailbox.
- ``imports``: subscriber exports of Mailchimp, listmonk and Buttondown.
"""
