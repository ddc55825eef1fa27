"""What a thread's link card says (Open Graph): only for a thread anyone may read, and only in
the words any reader sees — the masked title and body (board/privacy), never the author's own
view or the police's, so the card is the same for every viewer and may sit in the page cache."""
from __future__ import annotations

from dataclasses import dataclass

from board import permissions
from board.privacy import mask
from board.queries import bulletins
from board.services import attachments
from board.share import card_image, links

DESCRIPTION_MAX = 80  # WeChat shows two or three lines under the title
SITE_NAME = "鹿城24小时警局"  # as the page header says (templates/base.html)


@dataclass(frozen=True)
class LinkCard:
    title: str
    description: str
    url: str
    image: str
    image_width: int
    image_height: int
    image_alt: str
    site_name: str


def shareable(thread) -> bool:
    """May this thread be shared: a card, a card image, a QR code (public, not withdrawn)."""
    return permissions.can(None, "thread.share", thread)


def plain(markdown: str | None, limit: int = DESCRIPTION_MAX) -> str:
    """One line of the masked body: Markdown marks and line breaks dropped, cut with 「…」."""
    words = " ".join((mask(markdown) or "").replace("**", "").replace("`", "").split())
    words = words.lstrip("#>-+ ")
    return words if len(words) <= limit else words[:limit - 1] + "…"


def link_card(thread, photos: list | None = None) -> LinkCard | None:
    """The card of a shareable thread, else None (no metadata at all). `photos`: the thread's
    own (not its replies'), when the page has them already (views/photos.py attachments_of)."""
    if not shareable(thread):
        return None
    title = mask(thread.title) or ""
    if photos is None:
        photos = attachments.for_thread(thread.id).get(None, [])
    # A missing person found: the photos leave public view, and so the card (issue 21).
    photo = photos[0] if photos and bulletins.photos_shown(None, thread) else None
    if photo is not None:
        image = links.absolute("uploads.serve", attachment_id=photo.id)
        size = (photo.width, photo.height)
    else:
        image = links.absolute("share.thread_card", thread_id=thread.id)
        size = (card_image.WIDTH, card_image.HEIGHT)
    return LinkCard(title=f"{title} - {thread.board.name}",
                    description=plain(thread.body) or thread.board.name,
                    url=links.absolute("threads.show", thread_id=thread.id),
                    image=image, image_width=size[0], image_height=size[1], image_alt=title,
                    site_name=SITE_NAME)
