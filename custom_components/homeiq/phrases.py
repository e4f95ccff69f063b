"""What the HomeIQ Assist agent says and hears, per language it reads automations in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Phrases:
    """One language's answers (str.format templates) and the words a follow-up is heard by."""

    drafted: str
    drafted_sensitive: str
    deployed: str
    confirm_in_panel: str
    # The engine answers a request it drafted before with that suggestion, as it is now.
    already_on: str
    dropped_before: str
    dropped: str
    cancelled: str
    failed: str
    ask_option: str
    or_word: str
    # A follow-up that is one of these (or starts with one) deploys or drops the draft.
    yes: tuple[str, ...]
    no: tuple[str, ...]
    # Words that carry no choice in "the hallway one", left out before options are compared.
    fillers: tuple[str, ...]


PHRASES: Final[dict[str, Phrases]] = {
    "en": Phrases(
        drafted="I drafted: {what}. Say 'deploy it' to switch it on, or open HomeIQ to review it.",
        drafted_sensitive=(
            "I drafted: {what}. It controls a security-sensitive device, so I will not switch "
            "it on by voice: confirm it in the HomeIQ panel."
        ),
        deployed="Done: {what} is switched on.",
        confirm_in_panel=(
            "{what} controls a security-sensitive device: confirm it in the HomeIQ panel."
        ),
        already_on="{what} is already switched on.",
        dropped_before="You dropped {what} before: open HomeIQ to review it.",
        dropped="OK, I dropped {what}.",
        cancelled="OK, I dropped that request.",
        failed="HomeIQ could not do that: {error}",
        ask_option="{question} {options}?",
        or_word="or",
        yes=(
            "yes",
            "yeah",
            "yep",
            "sure",
            "ok",
            "okay",
            "deploy",
            "switch it on",
            "turn it on",
            "enable it",
            "activate it",
            "do it",
            "please do",
            "go ahead",
        ),
        no=(
            "no",
            "nope",
            "cancel",
            "drop it",
            "never mind",
            "discard it",
            "delete it",
            "reject it",
            "forget it",
            "don't",
        ),
        fillers=(
            "the",
            "a",
            "one",
            "ones",
            "that",
            "this",
            "please",
            "in",
            "on",
            "i",
            "mean",
            "want",
            "take",
            "of",
            "it",
        ),
    ),
    "de": Phrases(
        drafted=(
            "Ich habe entworfen: {what}. Sag 'aktivieren', um sie einzuschalten, oder prüfe "
            "sie in HomeIQ."
        ),
        drafted_sensitive=(
            "Ich habe entworfen: {what}. Sie steuert ein sicherheitsrelevantes Gerät, darum "
            "schalte ich sie nicht per Sprache ein: bestätige sie im HomeIQ-Panel."
        ),
        deployed="Erledigt: {what} ist eingeschaltet.",
        confirm_in_panel=(
            "{what} steuert ein sicherheitsrelevantes Gerät: bestätige sie im HomeIQ-Panel."
        ),
        already_on="{what} ist schon eingeschaltet.",
        dropped_before="Du hast {what} schon einmal verworfen: prüfe es in HomeIQ.",
        dropped="OK, ich habe {what} verworfen.",
        cancelled="OK, ich habe die Anfrage verworfen.",
        failed="HomeIQ konnte das nicht tun: {error}",
        ask_option="{question} {options}?",
        or_word="oder",
        yes=(
            "ja",
            "jawohl",
            "klar",
            "genau",
            "ok",
            "okay",
            "gerne",
            "aktivieren",
            "aktiviere",
            "einschalten",
            "schalte sie ein",
            "mach es",
            "mach das",
            "bereitstellen",
            "deploy",
        ),
        no=(
            "nein",
            "nö",
            "abbrechen",
            "verwerfen",
            "verwirf",
            "lass es",
            "vergiss es",
            "lieber nicht",
            "nicht",
        ),
        fillers=(
            "der",
            "die",
            "das",
            "den",
            "dem",
            "des",
            "ein",
            "eine",
            "einen",
            "im",
            "in",
            "am",
            "bitte",
            "ich",
            "meine",
            "mein",
            "nehme",
            "nimm",
        ),
    ),
    "fr": Phrases(
        drafted=(
            "J'ai préparé : {what}. Dites 'active-la' pour l'activer, ou ouvrez HomeIQ pour "
            "la vérifier."
        ),
        drafted_sensitive=(
            "J'ai préparé : {what}. Elle commande un appareil de sécurité, je ne l'active donc "
            "pas à la voix : confirmez-la dans le panneau HomeIQ."
        ),
        deployed="C'est fait : {what} est activée.",
        confirm_in_panel=(
            "{what} commande un appareil de sécurité : confirmez-la dans le panneau HomeIQ."
        ),
        already_on="{what} est déjà activée.",
        dropped_before="Vous avez déjà abandonné {what} : ouvrez HomeIQ pour la revoir.",
        dropped="D'accord, j'ai abandonné {what}.",
        cancelled="D'accord, j'ai abandonné cette demande.",
        failed="HomeIQ n'a pas pu le faire : {error}",
        ask_option="{question} {options} ?",
        or_word="ou",
        yes=(
            "oui",
            "ouais",
            "d'accord",
            "ok",
            "okay",
            "vas-y",
            "allez-y",
            "active-la",
            "active-le",
            "activer",
            "déploie",
            "déployer",
            "fais-le",
        ),
        no=("non", "annule", "annuler", "laisse tomber", "oublie", "supprime-la", "pas"),
        fillers=(
            "le",
            "la",
            "les",
            "l",
            "un",
            "une",
            "celui",
            "celle",
            "du",
            "de",
            "des",
            "dans",
            "s'il",
            "vous",
            "plaît",
            "je",
            "veux",
        ),
    ),
    "es": Phrases(
        drafted=(
            "He preparado: {what}. Di 'actívala' para activarla, o abre HomeIQ para revisarla."
        ),
        drafted_sensitive=(
            "He preparado: {what}. Controla un dispositivo de seguridad, así que no la activo "
            "por voz: confírmala en el panel de HomeIQ."
        ),
        deployed="Hecho: {what} está activada.",
        confirm_in_panel=(
            "{what} controla un dispositivo de seguridad: confírmala en el panel de HomeIQ."
        ),
        already_on="{what} ya está activada.",
        dropped_before="Ya descartaste {what}: abre HomeIQ para revisarla.",
        dropped="Vale, he descartado {what}.",
        cancelled="Vale, he descartado esa petición.",
        failed="HomeIQ no pudo hacerlo: {error}",
        ask_option="{question} {options}?",
        or_word="o",
        yes=(
            "sí",
            "si",
            "vale",
            "claro",
            "ok",
            "okay",
            "de acuerdo",
            "actívala",
            "actívalo",
            "activar",
            "despliégala",
            "hazlo",
            "adelante",
        ),
        no=("no", "cancela", "cancelar", "olvídalo", "descártala", "déjalo"),
        fillers=(
            "el",
            "la",
            "los",
            "las",
            "un",
            "una",
            "uno",
            "del",
            "de",
            "en",
            "por",
            "favor",
            "quiero",
        ),
    ),
    "nl": Phrases(
        drafted=(
            "Ik heb opgesteld: {what}. Zeg 'activeer het' om het aan te zetten, of open "
            "HomeIQ om het te bekijken."
        ),
        drafted_sensitive=(
            "Ik heb opgesteld: {what}. Het bedient een beveiligingsgevoelig apparaat, dus ik "
            "zet het niet met spraak aan: bevestig het in het HomeIQ-paneel."
        ),
        deployed="Klaar: {what} staat aan.",
        confirm_in_panel=(
            "{what} bedient een beveiligingsgevoelig apparaat: bevestig het in het HomeIQ-paneel."
        ),
        already_on="{what} staat al aan.",
        dropped_before="Je hebt {what} eerder laten vallen: open HomeIQ om het te bekijken.",
        dropped="Oké, ik heb {what} laten vallen.",
        cancelled="Oké, ik heb dat verzoek laten vallen.",
        failed="HomeIQ kon dat niet doen: {error}",
        ask_option="{question} {options}?",
        or_word="of",
        yes=(
            "ja",
            "jawel",
            "oké",
            "ok",
            "okay",
            "prima",
            "goed",
            "activeer",
            "zet het aan",
            "doe maar",
            "doe het",
            "deploy",
        ),
        no=("nee", "annuleer", "laat maar", "vergeet het", "verwijder het", "liever niet", "niet"),
        fillers=("de", "het", "een", "die", "dat", "in", "op", "graag", "ik", "bedoel", "neem"),
    ),
}
DEFAULT_LANGUAGE: Final = "en"


def phrases_for(language: str) -> Phrases:
    """Return the phrases of a language tag's primary language ("de-CH" → German), else English."""
    return PHRASES.get(
        language.replace("_", "-").split("-", maxsplit=1)[0].lower(), PHRASES[DEFAULT_LANGUAGE]
    )
