"""Every validation issue code, with what it means. Codes are stable: never rename one.

The members' guide (docs/members-guide.md) documents each with an example and a fix; a
test keeps this table, the code and the guide in step.
"""

from __future__ import annotations

from ..locales import N_

ISSUE_CODES: dict[str, str] = {
    # Reading the file
    "file-unreadable": N_("The file could not be read (permissions, or it vanished)."),
    "file-too-large": N_("The file is over 1 MiB."),
    "not-utf8": N_("The file is not UTF-8; the issue names the first bad byte's line."),
    "utf8-bom": N_("Warning: the file starts with a byte-order mark."),
    "empty-file": N_("The file holds nothing but blank lines or comments."),
    "tab-indentation": N_("A tab is used for indentation; YAML allows only spaces."),
    "yaml-syntax": N_("The YAML cannot be parsed; the parser's message and position are given."),
    "yaml-anchor": N_("YAML anchors (&name) are not allowed."),
    "yaml-alias": N_("YAML aliases (*name) are not allowed; they are never expanded."),
    "yaml-merge-key": N_("YAML merge keys (<<) are not allowed."),
    "yaml-tag": N_("YAML tags (!tag, !!python/…) are not allowed."),
    "yaml-complex-key": N_("A key is a list or mapping instead of a plain name."),
    "yaml-multiple-documents": N_("The file holds more than one YAML document (---)."),
    "too-deep": N_("The data is nested more than 32 levels deep."),
    "duplicate-key": N_("The same key appears twice in one mapping."),
    "comment-in-text": N_(
        "Warning: a text without quotes holds ' #', which YAML reads as the "
        "start of a comment: the text is cut there (`Mobile ID #2` is read as `Mobile ID`)."
    ),
    "not-a-mapping": N_("The file holds a list or a single value instead of fields."),
    # Structure and single fields
    "wrong-schema": N_("The `schema:` line is not the one this file kind needs."),
    "missing-field": N_("A required field is missing."),
    "unknown-key": N_("A key that the format does not have (often a misspelling)."),
    "wrong-type": N_("A value has the wrong kind: text, number, list or mapping."),
    "empty-value": N_("A text field is empty."),
    "not-filled-in": N_("A value still holds the `TODO` placeholder from `wgreport new`."),
    "invalid-choice": N_("A value is not one of the allowed words (status, coordination model…)."),
    "invalid-format": N_("An id or a member code does not have the required form."),
    "invalid-date": N_("A date is not in the form YYYY-MM-DD (or YYYY / YYYY-MM where allowed)."),
    "invalid-email": N_("The contact e-mail is not an e-mail address."),
    "invalid-url": N_("A link is not a web address."),
    "link-scheme": N_("A link is not https:, http: or mailto:."),
    "insecure-link": N_("Warning: a link uses http: rather than https:."),
    "decimal-comma": N_("A number is written with a decimal comma; use a dot."),
    "out-of-range": N_("A number is outside what the format allows (years, decimals…)."),
    "too-few": N_("A list has fewer items than required (at least one initiative)."),
    "too-many": N_("A list has more items than allowed (12 initiatives, 8 outcomes…)."),
    "too-long": N_(
        "A text is longer than allowed (outcomes: 200 characters; descriptions: "
        "400 words; case studies: 1,500 words)."
    ),
    "text-too-long": N_(
        "A text is longer than its field's maximum: 200 characters for a title or "
        "name, 500 for a sentence (source, note, alt text), 2,000 for a paragraph (docs/limits.md)."
    ),
    "bidi-control": N_(
        "A text holds an invisible bidirectional override or isolate control "
        "(U+202A–U+202E, U+2066–U+2069), which would reorder the text around it."
    ),
    "markdown-image": N_("An image is written inside Markdown text; use an `image` field."),
    "markdown-too-large": N_(
        "A Markdown text is over its character limit (summary 5,000, "
        "description 8,000, case study body 30,000)."
    ),
    "markdown-table-too-large": N_("A Markdown table has more than 100 rows or 12 columns."),
    "markdown-too-deep": N_("Lists and quotations in Markdown are nested more than 6 levels deep."),
    "summary-length": N_("Warning: the summary is outside 30–250 words."),
    # Relations between fields, items and files
    "unknown-member": N_("The member code is not a member of the working group."),
    "member-mismatch": N_("The member code does not match the file name."),
    "year-mismatch": N_("The year does not match the edition folder."),
    "late-submission": N_("Warning: the submission date is after the edition's deadline."),
    "duplicate-member": N_("Two files hold the same member's contribution."),
    "unknown-theme": N_("An initiative's theme is not a theme of the working group."),
    "duplicate-id": N_("An id is used twice in one list."),
    "ended-not-allowed": N_("A planned or in-progress initiative has an end date."),
    "ended-before-started": N_("An initiative ends before it starts."),
    "date-after-edition": N_("A completed initiative ends after the reporting year."),
    "unknown-indicator": N_("An indicator id is not in the catalogue."),
    "duplicate-indicator": N_("An indicator is reported twice."),
    "workbook-layout": N_(
        "A contribution workbook lacks a sheet or header of "
        "`wgreport template --format xlsx`, or holds a field, column or link that has no place."
    ),
    "workbook-too-large": N_(
        "A contribution workbook is over a limit measured before it is "
        "opened: its size, unpacked size, compression ratio, parts, sheets, or rows and cells."
    ),
    "checks-not-run": N_(
        "Warning: the group's catalogue or the edition's file was not found, "
        "so only the file's format was checked (validated outside inputs/)."
    ),
    "missing-indicator": N_(
        "A catalogue indicator is not reported (error when required, warning otherwise)."
    ),
    "reason-missing-required": N_("A null value has no `reason_missing`."),
    "reason-with-value": N_("Warning: `reason_missing` is given although there is a value."),
    "out-of-bounds": N_("A value is outside the indicator's bounds in the catalogue."),
    "data-year-after-edition": N_("An indicator's data year is after the edition year."),
    "indicators-twice": N_("Both `indicators` and `indicators_file` are given."),
    "indicators-file-outside": N_("The indicators CSV is not a file inside contributions/."),
    "csv-semicolon": N_("The indicators CSV uses ';' as separator."),
    "csv-columns": N_("A CSV row has more or fewer fields than the header."),
    "file-not-found": N_("A file the input names (foreword, indicators CSV) does not exist."),
    "image-path-absolute": N_("An image path is absolute."),
    "image-path-outside": N_("An image path leads outside contributions/ ('..' or a symlink)."),
    "image-not-found": N_("An image file does not exist."),
    "image-type": N_("An image is not PNG, JPEG or SVG, or its content does not match its name."),
    "image-too-large": N_("An image is over 5 MiB."),
    "image-too-many-pixels": N_(
        "An image is over 16 megapixels or 10,000 pixels a side (read "
        "from its header, so a decompression bomb is refused before it is opened)."
    ),
    "image-too-complex": N_(
        "An SVG image has more than 10,000 elements or nests them more than "
        "64 levels deep, has more than 500 <use> (or <use> chained more than 5 deep), draws more "
        "than 50,000 elements once its <use>, patterns and markers are drawn, or has a reference "
        "cycle."
    ),
    "image-unsafe": N_(
        "An SVG image contains a script, an event handler or embedded HTML, or refers to "
        "another file or address (a link, url(), @import, xml-stylesheet, CSS escapes)."
    ),
    "image-svg-unsupported": N_(
        "An SVG image uses an element or value the report does not draw "
        "(a <style> sheet, a filter, a link…)."
    ),
    "invalid-bounds": N_("In the catalogue, an indicator's min is greater than its max."),
    # Review files (inputs/<year>/reviews/<reviewer-id>.yaml): see docs/reviewers-guide.md
    "reviewer-mismatch": N_("The reviewer id does not match the review file's name."),
    "unknown-section": N_(
        "A comment's section is not a chapter id or a member code of the report."
    ),
    "unknown-draft": N_("Warning: a comment names a draft that is not in the outputs folder."),
    "response-missing": N_("A comment is accepted, rejected or deferred without a response."),
    "unknown-reply-author": N_(
        "A reply in a comment's thread is by neither the file's reviewer nor the secretariat."
    ),
    # The country-validation record (inputs/<year>/country-validation.yaml): the reviewers' guide
    "round-order": N_("A round is on an older draft than the round before it."),
    "due-before-opened": N_("A round is due before the day it was opened."),
    # The secretariat's editorial text (the foreword, the edition's chapters): the reviewers' guide
    "reference-syntax": N_(
        "A `{{` in an editorial text does not open a reference: `{{ fact-id }}`, "
        "`{{ figure:ID }}`, `{{ table:ID }}` or `{{ chapter:ID }}`, closed by `}}`."
    ),
    "unknown-fact": N_(
        "A `{{ fact-id }}` names no fact of the edition (`wgreport facts` lists them)."
    ),
    "unknown-reference": N_(
        "A `{{ figure:ID }}`, `{{ table:ID }}` or `{{ chapter:ID }}` names no "
        "figure, table or chapter of the report (in a member's text: `{{ figure:ID }}` names none "
        "of its own images)."
    ),
    "unknown-chapter": N_(
        "An editorial chapter is placed before or after a chapter the report does not have."
    ),
    "chapter-place": N_(
        "An editorial chapter has no place, or both `before` and `after` (the key "
        "messages have neither: they open the executive summary)."
    ),
    "abbreviation-not-listed": N_(
        "Warning: the foreword or an editorial chapter uses an "
        "abbreviation that the edition's `abbreviations` list does not explain."
    ),
    "comment-mismatch": N_(
        "A member's corrections name a comment that is not in its own "
        "review file (<code>-validation#N)."
    ),
    # Translation files (inputs/<year>/translations/<lang>/<CODE>.yaml): the members' guide
    "translation-outdated": N_(
        "Warning: the English a translation was made from has changed "
        "since (its `source_sha256` is not the English text's digest): the report prints the "
        "English in its place, marked, until the translation is updated."
    ),
    "unknown-translated-field": N_(
        "A translation file's entry names no text of the member's "
        "contribution (or of the group's file) to translate."
    ),
    "language-mismatch": N_("A translation file's `language` is not its folder's."),
}
