"""Portal forms for federated trusts: one trust with a platform preset, and "Test a token"."""

from django import forms

from identity.errors import InvalidInput

# What the portal offers to fill in: the issuer (none for Kubernetes: each cluster has its own)
# and the shape of the subject that platform's tokens carry.
PRESETS = {
    "github": {
        "label": "GitHub Actions",
        "issuer": "https://token.actions.githubusercontent.com",
        "subjects": ["repo:OWNER/REPO:ref:refs/heads/BRANCH", "repo:OWNER/REPO:environment:NAME"],
    },
    "gitlab": {
        "label": "GitLab CI",
        "issuer": "https://gitlab.com",
        "subjects": ["project_path:GROUP/PROJECT:ref_type:branch:ref:BRANCH"],
    },
    "kubernetes": {
        "label": "Kubernetes service account (type your cluster's issuer)",
        "issuer": "",
        "subjects": ["system:serviceaccount:NAMESPACE:NAME"],
    },
    "other": {"label": "Another OIDC issuer", "issuer": "", "subjects": []},
}
MAX_CLAIM_LINES = 20


class FederatedTrustForm(forms.Form):
    preset = forms.ChoiceField(label="Platform", choices=[(key, preset["label"]) for key, preset in PRESETS.items()])
    issuer = forms.CharField(
        label="Issuer", max_length=500, required=False,
        help_text="Left empty, the platform's own issuer (GitHub Actions, GitLab CI).",
    )
    audience = forms.CharField(label="Audience", max_length=500, help_text="The aud your pipeline asks its platform for, e.g. portcullis.")
    subject = forms.CharField(
        label="Subject", max_length=500,
        help_text="Exactly the token's sub, e.g. repo:OWNER/REPO:ref:refs/heads/BRANCH, "
        "project_path:GROUP/PROJECT:ref_type:branch:ref:BRANCH or system:serviceaccount:NAMESPACE:NAME.",
    )
    claims = forms.CharField(
        label="Claims", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional, one name=value a line, each matched exactly (e.g. repository_owner=acme).",
    )

    def clean(self):
        data = super().clean()
        preset = PRESETS.get(data.get("preset"), PRESETS["other"])
        if not data.get("issuer"):
            if not preset["issuer"]:
                self.add_error("issuer", "Type the issuer of your cluster or platform.")
            data["issuer"] = preset["issuer"]
        return data

    def clean_claims(self):
        lines = [line.strip() for line in self.cleaned_data.get("claims", "").splitlines() if line.strip()]
        if len(lines) > MAX_CLAIM_LINES:
            raise forms.ValidationError(f"At most {MAX_CLAIM_LINES} claims.")
        claims = {}
        for line in lines:
            name, separator, value = line.partition("=")
            if not separator or not name.strip() or not value.strip():
                raise forms.ValidationError(f"Write each claim as name=value: “{line[:60]}”.")
            claims[name.strip()] = value.strip()
        return claims

    def trust(self):
        data = self.cleaned_data
        return {key: data[key] for key in ("issuer", "audience", "subject", "claims")}


class TestTokenForm(forms.Form):
    token = forms.CharField(
        label="Token", max_length=16 * 1024, widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text="A token your pipeline's platform issued. It is checked, never used: nothing is issued.",
    )


def trust_error_field(error):
    """Which form field a service's refusal of a trust belongs on (its message says which part)."""
    message = error.message if isinstance(error, InvalidInput) else str(error)
    for field in ("issuer", "audience", "subject", "claim"):
        if f": {field}" in message or f"the {field}" in message:
            return "claims" if field == "claim" else field
    return None
