"""个人登录's one-time code rules (gateway/domain/member_codes.py, decision 0041): six digits, five
minutes, five tries, resend throttled, limits per ID number and per address — counted for whoever
asks, member or not, so no answer tells the two apart."""

from datetime import datetime, timedelta

from gateway.domain import member_codes as rules

NOW = datetime(2026, 12, 8, 9, 0, 0)
KEY = "k" * 32


def test_a_code_is_six_digits_and_only_six_digits_are_well_formed():
    codes = {rules.new_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(codes) > 150  # random, not a counter
    assert rules.well_formed_code("012345")
    for bad in ("12345", "1234567", "12345a", "١٢٣٤٥٦", None, 123456):
        assert not rules.well_formed_code(bad)


def test_the_subject_and_the_code_are_keyed_hashes_bound_to_each_other():
    subject = rules.subject_hash(KEY, " 31010119900101123x ")
    assert subject == rules.subject_hash(KEY, "31010119900101123X")  # normalised
    assert subject != rules.subject_hash("other-key-" * 4, "31010119900101123X")
    assert "31010119900101123X" not in subject and len(subject) == 64
    code = rules.code_hash(KEY, subject, "123456")
    assert rules.matches(code, rules.code_hash(KEY, subject, "123456"))
    assert not rules.matches(code, rules.code_hash(KEY, subject, "123457"))
    assert not rules.matches(code, rules.code_hash(KEY, rules.subject_hash(KEY, "310101199001011239"), "123456"))


def test_a_code_expires_after_five_minutes():
    expires = NOW + rules.CODE_TTL
    assert timedelta(minutes=5) == rules.CODE_TTL
    assert rules.usable(expires, None, 0, NOW + timedelta(minutes=4, seconds=59))
    assert not rules.usable(expires, None, 0, NOW + timedelta(minutes=5))


def test_a_code_is_used_up_by_five_wrong_tries_or_one_sign_in():
    expires = NOW + rules.CODE_TTL
    assert rules.usable(expires, None, 4, NOW)
    assert not rules.usable(expires, None, 5, NOW)
    assert not rules.usable(expires, NOW, 0, NOW)


def test_a_new_code_waits_a_minute_after_the_last_one():
    wait = rules.may_send(NOW, NOW - timedelta(seconds=20), 1, 1, NOW, NOW)
    assert wait == rules.Wait(41, "resend")
    assert rules.may_send(NOW, NOW - timedelta(seconds=60), 1, 1, NOW, NOW) is None


def test_five_codes_an_hour_for_one_id_number_and_twenty_from_one_address():
    oldest = NOW - timedelta(minutes=50)
    assert rules.may_send(NOW, NOW - timedelta(minutes=5), 4, 4, oldest, oldest) is None
    assert rules.may_send(NOW, NOW - timedelta(minutes=5), 5, 5, oldest, oldest) == rules.Wait(601, "subject")
    assert rules.may_send(NOW, None, 0, 19, oldest, None) is None
    assert rules.may_send(NOW, None, 0, 20, oldest, None) == rules.Wait(601, "address")


def test_the_limits_read_only_what_was_asked_never_whether_a_member_exists():
    """may_send takes counts of requests (made for members and strangers alike) and nothing else:
    the same history gives the same verdict whoever the ID number belongs to."""
    import inspect

    assert list(inspect.signature(rules.may_send).parameters) == [
        "now",
        "last_for_subject",
        "sent_to_subject",
        "asked_from_address",
        "oldest_from_address",
        "oldest_for_subject",
    ]


def test_input_checks_say_what_is_wrong_in_chinese():
    assert rules.id_number_errors("310101199001011234") == []
    assert rules.id_number_errors("31 0") == ["请填写登记的证件号码"]
    assert rules.mobile_errors("139 1000 0001") == []
    assert rules.mobile_errors("2391000000") == ["请填写 11 位手机号码"]
