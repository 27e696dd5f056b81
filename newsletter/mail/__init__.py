"""Sending editions by email, and the lists that decide who gets them.

- ``subscribers``: the private subscribers CSV and the suppression list.
- ``message``: an edition → one MIME message per recipient; headers checked.
- ``ledger``: the delivery ledger (SQLite, WAL) that makes a send resumable.
- ``smtp``: SMTP settings from the environment, and a polite, reconnecting sender.
- ``send``: the campaign: claim, send, record.
- ``mailbox``: unsubscribe requests and bounces from the editors' IMAP mailbox.
- ``imports``: subscriber exports of Mailchimp, listmonk and Buttondown.
"""
