import pytest

from headwater.names import standardize_columns, standardize_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" Customer ID ", "customer_id"),
        ("customerId", "customer_id"),
        ("CUSTOMER_ID", "customer_id"),
        ("customer-id", "customer_id"),
        ("productDescription", "product_description"),
        ("HTTPStatusCode", "http_status_code"),
        ("Prénom", "prenom"),
        ("Lifetime Value ($)", "lifetime_value_dollar"),
        # currency signs are spelled like % and # (breaker3 #11): ISO 4217 code, or the Unicode name's word for a shared sign
        ("Amount ($)", "amount_dollar"),
        ("Amount (€)", "amount_eur"),
        ("Price £", "price_gbp"),
        ("¥ Total", "yen_total"),
        ("Fee (₹)", "fee_inr"),
        ("Amount (US$)", "amount_us_dollar"),
        ("Preis in €/kg", "preis_in_eur_kg"),
        ("Amount (＄)", "amount_dollar"),
        ("Цена, ₽", "цена_rub"),
        ("Tip ¢", "tip_cent"),
        ("Amount (USD)", "amount_usd"),
        ("2019", "col_2019"),
        ("Straße", "strasse"),
        ("Discount %", "discount_pct"),
        ("Order #", "order_num"),
        ("first.name", "first_name"),
        ("  E-Mail Address (work) ", "e_mail_address_work"),
        ("", "column_3"),
        ("   ", "column_3"),
        # non-Latin letters are kept, lower-cased (issue 9, item 15)
        ("Имя", "имя"),
        ("Город", "город"),
        ("Край", "край"),  # й keeps its breve: only Latin letters lose their accents
        ("имяКлиента", "имя_клиента"),
        ("ДАТА РОЖДЕНИЯ", "дата_рождения"),
        ("Όνομα Πελάτη", "όνομα_πελάτη"),
        ("ΟΔΟΣ", "οδος"),  # final sigma lower-cases as Python's str.lower does
        ("名前", "名前"),
        ("顧客番号 (ID)", "顧客番号_id"),
        ("ｶﾞｲﾄﾞ", "ガイド"),  # half-width katakana: NFKD compatibility, then NFC
        ("이름", "이름"),
        ("नाम", "नाम"),  # the vowel sign (a spacing mark) stays inside the word
        ("السعر %", "السعر_pct"),
        ("Kırmızı", "kırmızı"),  # a Latin letter with no ASCII decomposition is kept, not dropped
        ("Café №", "cafe_no"),
        ("★", "column_3"),
        # breaker9 #10: the numero sign written with a degree sign is No, like Nº and №; a temperature's °C is not
        ("N°", "no"),
        ("Nº", "no"),
        ("№", "no"),
        ("n°", "no"),
        ("N° client", "no_client"),
        ("N°Facture", "no_facture"),
        ("N°.", "no"),
        ("N°C", "n_c"),
        ("Temp N°F", "temp_n_f"),
        ("Min°", "min"),
        ("IN°", "in"),
        ("Temp °C", "temp_c"),
        ("👍", "column_3"),
        ("+", "column_3"),
    ],
)
def test_standardize_name(raw: str, expected: str) -> None:
    assert standardize_name(raw, 3) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Имя", "imia"), ("Город", "gorod"), ("名前", "ming_qian"), ("Όνομα Πελάτη", "onoma_pelate"), ("Prénom", "prenom"), ("Straße", "strasse")],
)
def test_transliteration_is_optional(raw: str, expected: str) -> None:
    assert standardize_name(raw, 1, transliterate=True) == expected


def test_non_latin_headers_never_become_generic_names() -> None:
    assert standardize_columns(["Имя", "Город"]) == ["имя", "город"]
    assert standardize_columns(["Имя", "Город"], transliterate=True) == ["imia", "gorod"]
    assert standardize_columns(["名前", "名前", "都市"]) == ["名前", "名前_2", "都市"]


def test_collisions_get_numbered_suffixes_in_header_order() -> None:
    assert standardize_columns(["Email", "email", "E-mail", "EMAIL"]) == ["email", "email_2", "e_mail", "email_3"]


def test_three_conventions_land_on_one_name_set() -> None:
    title = standardize_columns([" Customer ID ", "Full Name", "Signup Date"])
    camel = standardize_columns(["customerId", "fullName", "signupDate"])
    shout = standardize_columns(["CUSTOMER_ID", "FULL_NAME", "SIGNUP_DATE"])
    assert title == camel == shout == ["customer_id", "full_name", "signup_date"]


def test_kebab_and_title_case_land_on_the_same_names() -> None:
    kebab = standardize_columns(["customer-id", "full-name", "signup-date"])
    title = standardize_columns(["Customer Id", "Full Name", "Signup Date"])
    assert kebab == title == ["customer_id", "full_name", "signup_date"]


def test_blank_names_use_their_position() -> None:
    assert standardize_columns(["a", "", " ", "a"]) == ["a", "column_2", "column_3", "a_2"]


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["Name", "name", "name_2"], ["name", "name_3", "name_2"]),  # breaker5 #4: the file's name_2 keeps its name
        (["name_2", "Name", "name"], ["name_2", "name", "name_3"]),
        (["a", "a", "a_2", "a_3"], ["a", "a_4", "a_2", "a_3"]),
        (["column_2", "", "x"], ["column_2", "column_2_2", "x"]),  # a generated name gives way to a written one
        (["", "column_1"], ["column_1_2", "column_1"]),  # ... in either order
        (["***", "column_1"], ["column_1_2", "column_1"]),  # a name of symbols only is generated too
    ],
)
def test_a_column_whose_own_name_is_free_keeps_it(names: list[str], expected: list[str]) -> None:
    assert standardize_columns(names) == expected


@pytest.mark.parametrize("transliterate", [False, True])
@pytest.mark.parametrize(("raw", "plain", "ascii_"), [
    ("№", "no", "no"),
    ("№ заказа", "no_заказа", "no_zakaza"),
    ("№ order", "no_order", "no_order"),
    ("Order №", "order_no", "order_no"),
    ("Nº", "no", "no"),
])
def test_the_numero_sign_is_no_with_and_without_transliteration(transliterate: bool, raw: str, plain: str, ascii_: str) -> None:
    """``№`` reads ``No`` as NFKD reads it; text-unidecode alone dropped it (``№`` -> ``column_3`` under transliterate)."""
    assert standardize_name(raw, 3, transliterate) == (ascii_ if transliterate else plain)
