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
        ("Lifetime Value ($)", "lifetime_value"),
        ("2019", "col_2019"),
        ("Straße", "strasse"),
        ("Discount %", "discount_pct"),
        ("Order #", "order_num"),
        ("first.name", "first_name"),
        ("  E-Mail Address (work) ", "e_mail_address_work"),
        ("", "column_3"),
        ("   ", "column_3"),
    ],
)
def test_standardize_name(raw: str, expected: str) -> None:
    assert standardize_name(raw, 3) == expected


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
