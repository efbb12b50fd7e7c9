"""What a respondent reads while the database cannot store: the texts the fault tests look for."""

HEADING = {
    "da": "Tjenesten er ikke tilgængelig lige nu",
    "sv": "Tjänsten är inte tillgänglig just nu",
}
STEP_AGAIN = {
    "da": "Jeres svar kunne ikke gemmes lige nu",
    "sv": "Era svar kunde inte sparas just nu",
}
TYPED_AGAIN = {
    "da": "Det, I skrev, kunne ikke gemmes lige nu",
    "sv": "Det ni skrev kunde inte sparas just nu",
}
SUBMIT = {"da": "indsend", "sv": "skicka-in"}
