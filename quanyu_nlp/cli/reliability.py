"""``quanyu reliability SHEET1 SHEET2 [...]``: agreement between coders per dimension."""

from __future__ import annotations


def run(args) -> int:
    from .._io import check_output, write_table
    from ..coding import reliability_report
    from .corpus import notes_to_stderr

    if args.output:  # checked first: the sheets are hours of hand coding
        check_output(args.output, args.sheets)
    # e.g. sheets that share only some units: one `quanyu: note:` line, not Python's
    # two-line warning with a path into this package
    with notes_to_stderr():
        rep = reliability_report(args.sheets, framework=args.framework)
    show = rep.copy()
    for c in ("percent_agreement", "cohen_kappa", "krippendorff_alpha"):
        show[c] = show[c].map(lambda v: f"{v:.3f}")
    print(show.to_string(index=False))
    if args.output:
        write_table(rep, args.output)
    return 0


def register(sub) -> None:
    p = sub.add_parser("reliability", help="kappa, alpha and agreement between coding sheets",
                       description="Cohen's kappa, Krippendorff's alpha (nominal) and percent "
                                   "agreement per dimension between two or more coding "
                                   "sheets (XLSX or CSV with unit_id and dimension columns).")
    p.add_argument("sheets", nargs="+", metavar="SHEET", help="coding sheets of the same units")
    p.add_argument("--framework", default="quanyu",
                   help="built-in framework name or path to a .toml codebook (default quanyu)")
    p.add_argument("-o", "--output", default=None, help="also write the table as CSV (or .xlsx)")
    p.set_defaults(func=run)
