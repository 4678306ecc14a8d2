"""The PDF stage. Per-chapter PDF rendering: chapters laid out as separate documents, in
parallel, and merged into one PDF that reads like a single-pass render.

WeasyPrint lays out one document on one core. The report's chapters each start on a new
page (`.chapter { break-before: page }`), so the print HTML splits cleanly into parts: the
front matter (cover and contents) and one part per chapter and annex. What ties the parts
together is handled here, so that **each part is laid out once** and a part that did not
change is never laid out again:

- **Footers are stamped, not laid out.** A part's layout must not depend on where it lands
  in the report, or every part would wait for the length of all the parts before it. So
  the parts after the front matter are rendered without "Page X of Y" and without the draft
  label; after merging, each page gets both from a *stamp*: one small WeasyPrint page with
  the label and a sample footer ("Page 0123456789 of 0123456789"), whose footer text is
  re-set for every page from the sample's own glyphs and advance widths and right-aligned
  where WeasyPrint put it (`Stamper`). The front matter keeps its own footers (it starts
  on page 1 and is laid out last, when the total is known).
- **Page numbers in the text.** Only the parts that print page numbers of their own (the
  contents and the cross-references, "Data: Table 17, page 55") depend on the others. They
  are laid out first with placeholders of the final width, which gives their length, while
  every other part is rendered for good; then they are rendered with the real numbers
  (`data-page`, instead of `target-counter()`). If a number's width still moves a line, the
  numbers are recomputed and those parts rendered again.
- **Links.** Links to an anchor in another part get an invisible stand-in anchor in their
  own part, so WeasyPrint keeps them; after merging, the named destinations are rebuilt
  from each part's own anchors only, so every link lands on the real target.
- **Outline and metadata.** Each part's bookmarks are copied in order (levels are
  kept), and the metadata comes from the front matter.
- **Caching.** Each part's PDF and layout (its pages and the page of each anchor) are
  cached by the sha256 of what they are made from (the part's HTML, the numbers written
  into it, the style sheets and the image folders' files). Since no part but the front
  matter carries the draft label or its position, a new draft after a one-member change
  renders that member's chapter, the chapters whose content changed, and the front matter.
- **Time limit.** Each part runs under a time limit (`time_limit`). A member's chapter
  that overruns is stopped (its worker is killed) and reported (`PartsTimedOut`), so that
  the build can leave the member out and say so; any other part that overruns is an error.
- **Memory.** Each part is laid out in a worker process and only its PDF bytes come
  back, so no process holds more than one chapter's layout at a time.

Drafts are tagged: each part is a tagged PDF, and the merge joins their structure trees
(`merge._StructureMerge`). Finals (PDF/UA-1, with attachments) are rendered in one pass.
Both then get the same last pass (`finish`): one embedded font per face (the parts' subsets
of a face joined), XMP metadata with the PDF/UA-1 identifier, PDF 1.7 with object streams.
One pass runs in a worker process under a time limit for the whole document
(`render_single`); when it overruns, the chapters are timed here to name the member.

The package, by what each module does:

- `report`: the stage's entry (`render_pdf_report`): which mode (one pass, per chapter on
  this machine, per chapter on a Dask cluster) and what the manifest records of it;
- `parts`: the print HTML cut into parts at the chapters of `ctx.chapters`, and the page
  number slots;
- `schedule`: the workers, the time limits, and the passes that lay the parts out;
- `stamp`: the draft label and "Page X of Y" stamped onto merged pages;
- `merge`: one PDF from the parts (pikepdf): pages, outline, links, metadata;
- `cache`: the parts' PDFs and layouts in the content-addressed cache (`wgreport.cache`);
- `finish`: the last pass over the whole PDF: fonts, metadata, version.
"""
