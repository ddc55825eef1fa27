"""Sharing in WeChat (issue 21): a link pasted into a chat shows a card, a QR code on the wall of
a station opens the board.

`links` builds the absolute addresses a card and a QR code need, `card` decides what a thread's
card says (public threads only, masked as any reader sees them), `card_image` and `qr` draw the
pictures (Pillow and segno, no Flask), and `files` keeps what was drawn under instance/ so each
picture is drawn once. The pages and pictures are served by board/views/share.py.
"""
