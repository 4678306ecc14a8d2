"""Every validation issue code, with what it means. Codes are stable: never rename one.

The members' guide (docs/members-guide.md) documents each with an example and a fix; a
test keeps this table, the code and the guide in step.
"""

from __future__ import annotations

ISSUE_CODES: dict[str, str] = {
    # Reading the file
    "file-unreadable": "The file could not be read (permissions, or it vanished).",
    "file-too-large": "The file is over 1 MiB.",
    "not-utf8": "The file is not UTF-8; the issue names the first bad byte's line.",
    "utf8-bom": "Warning: the file starts with a byte-order mark.",
    "empty-file": "The file holds nothing but blank lines or comments.",
    "tab-indentation": "A tab is used for indentation; YAML allows only spaces.",
    "yaml-syntax": "The YAML cannot be parsed; the parser's message and position are given.",
    "yaml-anchor": "YAML anchors (&name) are not allowed.",
    "yaml-alias": "YAML aliases (*name) are not allowed; they are never expanded.",
    "yaml-merge-key": "YAML merge keys (<<) are not allowed.",
    "yaml-tag": "YAML tags (!tag, !!python/…) are not allowed.",
    "yaml-complex-key": "A key is a list or mapping instead of a plain name.",
    "yaml-multiple-documents": "The file holds more than one YAML document (---).",
    "too-deep": "The data is nested more than 32 levels deep.",
    "duplicate-key": "The same key appears twice in one mapping.",
    "comment-in-text": "Warning: a text without quotes holds ' #', which YAML reads as the "
    "start of a comment: the text is cut there (`Mobile ID #2` is read as `Mobile ID`).",
    "not-a-mapping": "The file holds a list or a single value instead of fields.",
    # Structure and single fields
    "wrong-schema": "The `schema:` line is not the one this file kind needs.",
    "missing-field": "A required field is missing.",
    "unknown-key": "A key that the format does not have (often a misspelling).",
    "wrong-type": "A value has the wrong kind: text, number, list or mapping.",
    "empty-value": "A text field is empty.",
    "not-filled-in": "A value still holds the `TODO` placeholder from `wgreport new`.",
    "invalid-choice": "A value is not one of the allowed words (status, coordination model…).",
    "invalid-format": "An id or a member code does not have the required form.",
    "invalid-date": "A date is not in the form YYYY-MM-DD (or YYYY / YYYY-MM where allowed).",
    "invalid-email": "The contact e-mail is not an e-mail address.",
    "invalid-url": "A link is not a web address.",
    "link-scheme": "A link is not https:, http: or mailto:.",
    "insecure-link": "Warning: a link uses http: rather than https:.",
    "decimal-comma": "A number is written with a decimal comma; use a dot.",
    "out-of-range": "A number is outside what the format allows (years, decimals…).",
    "too-few": "A list has fewer items than required (at least one initiative).",
    "too-many": "A list has more items than allowed (12 initiatives, 8 outcomes…).",
    "too-long": "A text is longer than allowed (outcomes: 200 characters; descriptions: "
    "400 words; case studies: 1,500 words).",
    "text-too-long": "A text is longer than its field's maximum: 200 characters for a title or "
    "name, 500 for a sentence (source, note, alt text), 2,000 for a paragraph (docs/limits.md).",
    "bidi-control": "A text holds an invisible bidirectional override or isolate control "
    "(U+202A–U+202E, U+2066–U+2069), which would reorder the text around it.",
    "markdown-image": "An image is written inside Markdown text; use an `image` field.",
    "markdown-too-large": "A Markdown text is over its character limit (summary 5,000, "
    "description 8,000, case study body 30,000).",
    "markdown-table-too-large": "A Markdown table has more than 100 rows or 12 columns.",
    "markdown-too-deep": "Lists and quotations in Markdown are nested more than 6 levels deep.",
    "summary-length": "Warning: the summary is outside 30–250 words.",
    # Relations between fields, items and files
    "unknown-member": "The member code is not a member of the working group.",
    "member-mismatch": "The member code does not match the file name.",
    "year-mismatch": "The year does not match the edition folder.",
    "late-submission": "Warning: the submission date is after the edition's deadline.",
    "duplicate-member": "Two files hold the same member's contribution.",
    "unknown-theme": "An initiative's theme is not a theme of the working group.",
    "duplicate-id": "An id is used twice in one list.",
    "ended-not-allowed": "A planned or in-progress initiative has an end date.",
    "ended-before-started": "An initiative ends before it starts.",
    "date-after-edition": "A completed initiative ends after the reporting year.",
    "unknown-indicator": "An indicator id is not in the catalogue.",
    "duplicate-indicator": "An indicator is reported twice.",
    "workbook-layout": "A contribution workbook lacks a sheet or header of "
    "`wgreport template --format xlsx`, or holds a field, column or link that has no place.",
    "workbook-too-large": "A contribution workbook is over a limit measured before it is "
    "opened: its size, unpacked size, compression ratio, parts, sheets, or rows and cells.",
    "checks-not-run": "Warning: the group's catalogue or the edition's file was not found, "
    "so only the file's format was checked (validated outside inputs/).",
    "missing-indicator": "A catalogue indicator is not reported (error when required, "
    "warning otherwise).",
    "reason-missing-required": "A null value has no `reason_missing`.",
    "reason-with-value": "Warning: `reason_missing` is given although there is a value.",
    "out-of-bounds": "A value is outside the indicator's bounds in the catalogue.",
    "data-year-after-edition": "An indicator's data year is after the edition year.",
    "indicators-twice": "Both `indicators` and `indicators_file` are given.",
    "indicators-file-outside": "The indicators CSV is not a file inside contributions/.",
    "csv-semicolon": "The indicators CSV uses ';' as separator.",
    "csv-columns": "A CSV row has more or fewer fields than the header.",
    "file-not-found": "A file the input names (foreword, indicators CSV) does not exist.",
    "image-path-absolute": "An image path is absolute.",
    "image-path-outside": "An image path leads outside contributions/ ('..' or a symlink).",
    "image-not-found": "An image file does not exist.",
    "image-type": "An image is not PNG, JPEG or SVG, or its content does not match its name.",
    "image-too-large": "An image is over 5 MiB.",
    "image-too-many-pixels": "An image is over 16 megapixels or 10,000 pixels a side (read "
    "from its header, so a decompression bomb is refused before it is opened).",
    "image-too-complex": "An SVG image has more than 10,000 elements or nests them more than "
    "64 levels deep, has more than 500 <use> (or <use> chained more than 5 deep), draws more "
    "than 50,000 elements once its <use>, patterns and markers are drawn, or has a reference "
    "cycle.",
    "image-unsafe": (
        "An SVG image contains a script, an event handler or embedded HTML, or refers to "
        "another file or address (a link, url(), @import, xml-stylesheet, CSS escapes)."
    ),
    "image-svg-unsupported": "An SVG image uses an element or value the report does not draw "
    "(a <style> sheet, a filter, a link…).",
    "invalid-bounds": "In the catalogue, an indicator's min is greater than its max.",
    # Review files (inputs/<year>/reviews/<reviewer-id>.yaml): see docs/reviewers-guide.md
    "reviewer-mismatch": "The reviewer id does not match the review file's name.",
    "unknown-section": "A comment's section is not a chapter id or a member code of the report.",
    "unknown-draft": "Warning: a comment names a draft that is not in the outputs folder.",
    "response-missing": "A comment is accepted, rejected or deferred without a response.",
    "unknown-reply-author": "A reply in a comment's thread is by neither the file's reviewer "
    "nor the secretariat.",
    # The country-validation record (inputs/<year>/country-validation.yaml): the reviewers' guide
    "round-order": "A round is on an older draft than the round before it.",
    "due-before-opened": "A round is due before the day it was opened.",
    # The secretariat's editorial text (the foreword, the edition's chapters): the reviewers' guide
    "reference-syntax": "A `{{` in an editorial text does not open a reference: "
    "`{{ fact-id }}`, `{{ figure:ID }}`, `{{ table:ID }}` or `{{ chapter:ID }}`, closed by `}}`.",
    "unknown-fact": "A `{{ fact-id }}` names no fact of the edition (`wgreport facts` lists them).",
    "unknown-reference": "A `{{ figure:ID }}`, `{{ table:ID }}` or `{{ chapter:ID }}` names no "
    "figure, table or chapter of the report (in a member's text: `{{ figure:ID }}` names none "
    "of its own images).",
    "unknown-chapter": "An editorial chapter is placed before or after a chapter the report "
    "does not have.",
    "chapter-place": "An editorial chapter has no place, or both `before` and `after` (the key "
    "messages have neither: they open the executive summary).",
    "abbreviation-not-listed": "Warning: the foreword or an editorial chapter uses an "
    "abbreviation that the edition's `abbreviations` list does not explain.",
    "comment-mismatch": "A member's corrections name a comment that is not in its own "
    "review file (<code>-validation#N).",
    # Translation files (inputs/<year>/translations/<lang>/<CODE>.yaml): the members' guide
    "translation-outdated": "Warning: the English a translation was made from has changed "
    "since (its `source_sha256` is not the English text's digest): the report prints the "
    "English in its place, marked, until the translation is updated.",
    "unknown-translated-field": "A translation file's entry names no text of the member's "
    "contribution (or of the group's file) to translate.",
    "language-mismatch": "A translation file's `language` is not its folder's.",
}
