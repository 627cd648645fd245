from identity import apikeys


def test_generated_token_has_prefix_checksum_and_256_bits():
    token, key_id = apikeys.generate()
    assert token.startswith("pct_")
    assert len(token) == apikeys.TOKEN_LENGTH
    assert apikeys.has_valid_shape(token)
    assert apikeys.key_id_of(token) == key_id


def test_a_typo_fails_the_checksum_before_any_lookup():
    token, _ = apikeys.generate()
    typo = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    assert apikeys.key_id_of(typo) is None


def test_digest_matches_only_its_token(settings):
    token, _ = apikeys.generate()
    other, _ = apikeys.generate()
    stored = apikeys.digest(token)
    assert apikeys.matches(token, stored)
    assert not apikeys.matches(other, stored)
    assert token not in stored


def test_rotated_secret_key_keeps_tokens_valid_through_fallbacks(settings):
    token, _ = apikeys.generate()
    stored = apikeys.digest(token)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-only-0123456789"
    assert apikeys.matches(token, stored)
