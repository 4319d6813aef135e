"""Regenerate the sample landing zone shipped in sample_data/landing/ (deterministic).

Six CSVs on three topics, each with a different header convention, encoding and
delimiter, plus one malformed file. Expected counts are asserted in
tests/dags/test_headwater_ingest_e2e.py; change both together.
"""

from __future__ import annotations

from pathlib import Path

DATE = "2026-11-20"
OUT = Path(__file__).resolve().parents[1] / "sample_data" / "landing" / DATE

LONG_PARAGRAPHS = [
    "Our trail running shoe is built for long days on rocky ground. The outsole uses a sticky rubber compound "
    "with 5 mm lugs that grip wet granite, loose gravel and packed dirt. A rock plate under the forefoot "
    "protects against sharp stones without making the ride stiff, and the midsole foam keeps its bounce "
    "after hundreds of kilometres.",
    "The upper is a single layer of recycled mesh that drains quickly after river crossings and dries in "
    "under an hour in the sun. Reinforced overlays at the toe and heel resist abrasion, and the gusseted "
    "tongue keeps grit and pebbles out. Sizing runs true; if you are between sizes, choose the larger one "
    "for downhill comfort.",
    "Care instructions: rinse with cold water, remove the insole and let the shoe air dry away from direct "
    "heat. Do not put the shoes in a washing machine or a dryer, because heat weakens the glue that bonds "
    "the outsole. Replace the laces every season; spare laces ship in the box.",
]


def write(name: str, text: str, encoding: str = "utf-8", newline: str = "\n") -> None:
    (OUT / name).write_bytes(text.replace("\n", newline).encode(encoding))


def customers_export() -> None:
    # Title Case with stray spaces; exact dup (line 4 = line 2), whitespace-only dup (line 9),
    # near dup (Jon/John Smith: left for the fuzzy dedup of issue 3), NA spellings, HTML and URLs in notes.
    write(
        "Customers Export.csv",
        ' Customer ID ,Full Name,Email Address, Signup Date ,Lifetime Value, Notes \n'
        'C-1001,Ada Lovelace,ada@example.com,2024-01-15,"1,204.50","<p>Prefers <b>email</b>. Docs: '
        '<a href=""https://example.com/ada"">profile</a></p>"\n'
        "C-1002,Grace Hopper,grace@example.org,15/02/2024,980.00,Asked about the enterprise plan at https://example.org/pricing\n"
        'C-1001,Ada Lovelace,ada@example.com,2024-01-15,"1,204.50","<p>Prefers <b>email</b>. Docs: '
        '<a href=""https://example.com/ada"">profile</a></p>"\n'
        "C-1003,John Smith,john.smith@example.net,2024-03-01,N/A,null\n"
        "C-1004,Jon Smith,john.smith@example.net,2024-03-01,N/A,null\n"
        "C-1005,Linus Torvalds,,2024-03-09,,Called support twice &amp; left a voicemail\n"
        "C-1006,Margaret Hamilton,margaret@example.com,March 12 2024,2500,-\n"
        "C-1002,Grace   Hopper,grace@example.org,15/02/2024,980.00,Asked about the  enterprise plan at https://example.org/pricing\n"
        "C-1007,Barbara Liskov,barbara@example.edu,2024-04-02,310.75,Referred by Grace Hopper\n"
        ",,,,,\n"
        "C-1008,Ken Thompson,ken@example.com,2024-04-20,75,\n",
    )


def customers_eu() -> None:
    # snake_case, ';' delimiter, Latin-1 encoded (accents), decimal commas.
    write(
        "customers_eu.csv",
        "customer_id;full_name;email_address;signup_date;lifetime_value;notes\n"
        "E-2001;Zoë Müller;zoe@example.de;2024-02-01;1.234,50;Kundin seit 2019, bevorzugt Telefon\n"
        "E-2002;François Dubois;francois@example.fr;01.03.2024;87,00;none\n"
        "E-2003;Søren Kierkegaard;soren@example.dk;2024-03-15;NA;Écrit en français, répond vite\n"
        "E-2002;François Dubois;francois@example.fr;01.03.2024;87,00;none\n"
        "E-2004;José Álvarez;jose@example.es;2024-04-01;450,25;?\n"
        "E-2005;Ana Peña;ana@example.es;2024-04-11;19,99;Pidió factura a https://example.es/factura\n",
        encoding="latin-1",
    )


def customers_apac() -> None:
    # camelCase, the third header convention of the customers source (config/sources/customers.yaml):
    # customerID/fullName map exactly, remarks by alias, emailAddr/signupDt/lifetimeVal by fuzzy match,
    # loyaltyTier stays unmapped. US dates, "$" amounts, a refund in parentheses (negative: fails
    # the schema's min 0 and is quarantined), a value that is not a number (kept in lifetime_value__raw).
    write(
        "customersApac.csv",
        "customerID,fullName,emailAddr,signupDt,lifetimeVal,remarks,loyaltyTier\n"
        'A-3001,Mei Tanaka,mei@example.jp,03/20/2024,"$1,200.00",Prefers chat support,gold\n'
        "A-3002,Raj Patel,raj@example.in,04/02/2024,$85.50,,silver\n"
        "A-3003,Li Wei,liwei@example.cn,04/15/2024,(45.00),Refund larger than purchases,bronze\n"
        "A-3004,Aroha Ngata,aroha@example.nz,05/01/2024,unknown,Asked for an invoice copy,silver\n"
        'A-3001,Mei Tanaka,mei@example.jp,03/20/2024,"$1,200.00",Prefers chat support,gold\n',
    )


def product_catalog() -> None:
    # camelCase, quoted multi-line HTML descriptions long enough to need several chunks.
    rows = ["productId,productName,unitPrice,inStock,productDescription"]
    names = ["Ridge Runner 2", "Canyon Trail Pro", "River Hopper", "Summit Lite", "Forest Glide"]
    for i, name in enumerate(names):
        paras = LONG_PARAGRAPHS[: 1 + i % 3]
        desc = "".join(f"<p>{p}</p>\n" for p in paras) + f'<p>More at <a href="https://shop.example.com/p/{100 + i}">the shop</a>.</p>'
        rows.append(f'P-{100 + i},{name},"{89 + 10 * i}.00",{"true" if i % 2 == 0 else "false"},"{desc.replace(chr(34), chr(34) * 2)}"')
    rows.append(rows[3])  # exact duplicate of River Hopper
    write("productCatalog.csv", "\n".join(rows) + "\n")


def support_tickets() -> None:
    # SHOUTING headers, tab-delimited, CRLF; two ragged rows get quarantined.
    head = "TICKET_ID\tCUSTOMER_EMAIL\tSUBJECT\tBODY\tCREATED_AT\tPRIORITY"
    bodies = [
        "My Ridge Runner 2 shoes started to separate at the toe after three weeks of trail running. The glue "
        "between the outsole and the upper is coming apart. I followed the care instructions and never used "
        "a dryer. Can I get a replacement pair? Photos are at https://photos.example.com/t/991.",
        "The invoice for order 5521 lists the wrong billing address. Please send a corrected invoice to "
        "grace@example.org and update the address on my account to 12 Harbour Street.",
        "I would like to return the Canyon Trail Pro because the size is too small. I normally wear 42 but "
        "these feel like 41. Is the return free, and how long does the refund take?",
        "Your website checkout keeps failing with an error after I enter my card details. I tried two "
        "browsers and cleared cookies. Error reference: CHK-4471.",
        "Thank you for the quick replacement! The new pair arrived yesterday and fits perfectly.",
    ]
    rows = [head]
    for i, body in enumerate(bodies):
        rows.append(f"T-{500 + i}\tcustomer{i}@example.com\tTicket about order {5520 + i}\t{body}\t2026-11-19T0{i}:15:00Z\t{['high', 'low', 'medium'][i % 3]}")
    rows.insert(3, "T-598\tbroken@example.com\tTruncated export")  # 3 fields
    rows.append("T-599\textra@example.com\tToo many\tfields here\t2026-11-19\thigh\tEXTRA\tVALUES")  # 8 fields
    rows.append(rows[2])  # exact duplicate
    write("SUPPORT_TICKETS.csv", "\n".join(rows) + "\n", newline="\r\n")


def product_reviews() -> None:
    # kebab-case, '|' delimiter, UTF-8 with BOM, mojibake for ftfy to repair.
    rows = ["review-id|product-id|star-rating|review-text|reviewer"]
    texts = [
        "Great grip on wet rock, the lugs really bite. I ran a muddy 30 km race and never slipped once.",
        "Comfortable from the first run but the toe box is narrow for wide feet. Sizing up half a size helped.",
        "The caf\u00c3\u00a9 owner at the trailhead recommended these and she was right: light, fast and stable on descents.",
        "Soles wore out after 300 km on gravel roads, which is less than I expected for the price.",
        "Dries quickly after river crossings. Perfect for summer mountain running trips in the Alps.",
    ]
    for i, t in enumerate(texts):
        rows.append(f"R-{700 + i}|P-{100 + i % 5}|{5 - i % 3}|{t}|reviewer_{i}")
    rows.append(rows[1])  # exact duplicate
    rows.append(f"R-706|P-101|n/a|  {texts[1]}  |reviewer_1")  # not a duplicate: different id and rating
    write("product-reviews.csv", "\ufeff" + "\n".join(rows) + "\n")


ERROR_PAGE = """<!DOCTYPE html>
<html>
<head><title>504 Gateway Time-out</title></head>
<body>
<h1>504 Gateway Time-out</h1>
<p>The orders export service did not answer in time. Please try again later.</p>
</body>
</html>
"""


def malformed() -> None:
    # The export tool saved its HTTP error page under the CSV's name: quarantined whole, the rest of the day goes on.
    # (Compressed drops are read transparently, so they are not the malformed example: see tests/include/headwater/ingest.)
    (OUT / "orders_export.csv").write_bytes(ERROR_PAGE.encode("utf-8"))


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    customers_export()
    customers_eu()
    customers_apac()
    product_catalog()
    support_tickets()
    product_reviews()
    malformed()
    for p in sorted(OUT.iterdir()):
        print(p.relative_to(OUT.parents[1]), p.stat().st_size, "bytes")
