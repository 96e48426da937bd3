"""Markdown for the job summary the approver reads: the checklist and the toggle card."""

from __future__ import annotations

from ci.checklist.card import Card
from ci.checklist.model import Checklist, ItemStatus

_ICON = {
    ItemStatus.PASSED: "✅",
    ItemStatus.ATTESTED: "🖊️",
    ItemStatus.FAILED: "❌",
    ItemStatus.MISSING: "⬜",
}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def checklist_markdown(checklist: Checklist) -> str:
    done = len(checklist.items) - len(checklist.incomplete_items)
    verdict = "complete" if checklist.complete else "**incomplete**"
    lines = [
        f"## Deploy checklist: {checklist.environment} @ `{checklist.sha[:12]}`",
        "",
        f"{verdict}: {done}/{len(checklist.items)} items passed or attested",
        "",
        "| item | kind | status | evidence |",
        "|---|---|---|---|",
    ]
    for item in checklist.items:
        lines.append(
            f"| {_cell(item.title)} (`{item.id}`) | {item.kind.value} "
            f"| {_ICON[item.status]} {item.status.value} | {_cell(item.evidence)} |"
        )
    lines += ["", f"- repository: {checklist.repository}", f"- ref: {checklist.ref or '-'}"]
    if checklist.run is not None:
        lines.append(f"- run: {checklist.run.url}")
    lines += [f"- built: {checklist.created_at}", f"- digest: `{checklist.digest}`"]
    lines.append(f"- signed: {'yes' if checklist.signature else 'no'}")
    return "\n".join(lines) + "\n"


def card_markdown(card: Card) -> str:
    lines = [
        f"## Toggle card: {card.env} ({card.network})",
        "",
        "| setting | value | from |",
        "|---|---|---|",
    ]
    for s in card.settings:
        plain = s.secret or s.value is None  # "set"/"unset" are words, not values
        value = f"_{s.display}_" if plain else f"`{_cell(s.display)}`"
        lines.append(f"| {s.name} | {value} | {s.source.value} |")
    lines.append("")
    if card.warnings:
        lines += [f"> ⚠️ {_cell(w)}" + "  " for w in card.warnings]
    else:
        lines.append("No warnings.")
    return "\n".join(lines) + "\n"
