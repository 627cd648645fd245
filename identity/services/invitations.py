"""Invitations: a person who already has an account joins another organization only by accepting.

``member_add`` turns an existing username into an invitation instead of a membership: typing
someone's username must not hand their account to a new organization, nor show the inviter their
e-mail. The person gets a link by e-mail; signed in as themselves, they accept or decline it.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from identity import audit, clock, invitation_tokens
from identity.authorization import ensure_may
from identity.errors import Conflict, NotFound, NotPermitted
from identity.models import AuditAction, Membership
from identity.models.invitations import INVITATION_VALIDITY, Invitation
from identity.principals import SYSTEM, USER, Principal, actor_user

from .role_bindings import bind_membership_role



def accept_url(token, site_url=None):
    """The link in the e-mail: on ``site_url`` (the portal's address as the request saw it) or the issuer."""
    base = (site_url or settings.PORTCULLIS_ISSUER or "").rstrip("/")
    return base + reverse("portal:invitation", kwargs={"token": token})


def _open_invitations(organization, user):
    return Invitation.objects.filter(organization=organization, user=user, accepted_at__isnull=True, cancelled_at__isnull=True)


def _already_invited(username):
    return Conflict(f"{username} is already invited.", field_errors={"username": ["Already invited."]})


def invitation_create(*, organization, actor, user, role, site_url=None):
    """Invite ``user`` with ``role``; the caller (``member_add``) has checked the actor may give it.

    Runs inside the caller's transaction: the invitation, its audit event and the e-mail go
    together, or not at all.
    """
    now = clock.now()
    previous = _open_invitations(organization, user).select_for_update().first()
    if previous is not None:
        if not previous.is_expired(now):
            raise _already_invited(user.get_username())
        # An expired invitation gives way to the new one (one open invitation per person).
        previous.cancelled_at = now
        previous.save(update_fields=["cancelled_at"])
    token, digest = invitation_tokens.generate()
    invitation = Invitation(
        organization=organization, user=user, role=role, invited_by=actor_user(actor),
        invited_by_name=actor.name[:200], token_digest=digest, expires_at=now + INVITATION_VALIDITY,
    )
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError as error:
        raise _already_invited(user.get_username()) from error
    audit.record(
        action=AuditAction.MEMBER_INVITE, organization=organization, actor=actor, target=invitation,
        target_name=user.get_username(), details={"role": role.name, "expires_at": invitation.expires_at.isoformat()},
    )
    _send(invitation, accept_url(token, site_url))
    return invitation


def _send(invitation, url):
    if not invitation.user.email:
        return  # nowhere to send it; the inviter sees the same answer, and may cancel it
    organization = invitation.organization
    send_mail(
        subject=f"[Portcullis] {invitation.invited_by_name} invites you to join {organization.name}",
        message=(
            f"{invitation.invited_by_name} invites you to join {organization.name} as {invitation.role.name}.\n\n"
            f"Sign in to Portcullis and open this link to accept or decline; it works until "
            f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC:\n\n{url}\n\n"
            "If you did not expect this, ignore it: nothing changes unless you accept.\n"
        ),
        from_email=None,
        recipient_list=[invitation.user.email],
    )


# ---------------------------------------------------------------- answering, as the invited person


def invitation_by_token(token):
    """The invitation a link names, or None. Only the token's digest is ever looked up or kept."""
    if not invitation_tokens.has_valid_shape(token):
        return None
    digest = invitation_tokens.digest(token)
    return Invitation.objects.select_related("organization", "user", "role").filter(token_digest=digest).first()


def ensure_may_answer(invitation, user, now=None):
    """Only the invited person answers, and only an open invitation that has not expired."""
    if invitation is None:
        raise NotFound("This invitation link is not valid. Check that you copied all of it.")
    if invitation.user_id != user.pk:
        raise NotPermitted("This invitation is for another account. Sign in as the person it was sent to.")
    if invitation.accepted_at is not None:
        raise Conflict("This invitation has already been accepted.")
    if invitation.cancelled_at is not None:
        raise Conflict("This invitation was cancelled or declined.")
    if invitation.is_expired(now or clock.now()):
        raise Conflict("This invitation has expired. Ask the person who invited you for a new one.")


def _locked(token):
    found = invitation_by_token(token)
    return Invitation.objects.select_for_update().select_related("organization", "user", "role").get(pk=found.pk) if found else None


def _invitee(user, organization):
    return Principal(kind=USER, name=user.get_username(), organization=organization, user=user)


@transaction.atomic
def invitation_accept(*, token, user):
    """Make the invited person a member with the invitation's role."""
    invitation = _locked(token)
    ensure_may_answer(invitation, user)
    organization = invitation.organization
    if Membership.objects.filter(user=user, organization=organization).exists():
        raise Conflict(f"You are already a member of {organization.name}.")
    membership = Membership.objects.create(user=user, organization=organization)
    # Whether the role could be given was decided when the invitation was made (the inviter had to
    # hold it); accepting carries that out on the inviter's behalf.
    on_behalf = Principal(
        kind=SYSTEM, name=f"invitation from {invitation.invited_by_name}", organization=organization,
        user=invitation.invited_by,
    )
    bind_membership_role(membership=membership, actor=on_behalf, role=invitation.role)
    invitation.accepted_at = clock.now()
    invitation.save(update_fields=["accepted_at"])
    audit.record(
        action=AuditAction.INVITATION_ACCEPT, organization=organization, actor=_invitee(user, organization),
        target=membership, target_name=user.get_username(),
        details={"role": invitation.role.name, "invited_by": invitation.invited_by_name, "invitation": invitation.pk},
    )
    return membership


@transaction.atomic
def invitation_decline(*, token, user):
    invitation = _locked(token)
    ensure_may_answer(invitation, user)
    invitation.cancelled_at = clock.now()
    invitation.save(update_fields=["cancelled_at"])
    audit.record(
        action=AuditAction.INVITATION_CANCEL, organization=invitation.organization,
        actor=_invitee(user, invitation.organization), target=invitation, target_name=user.get_username(),
        details={"role": invitation.role.name, "declined": True},
    )
    return invitation


# ---------------------------------------------------------------- cancelling, as the organization


@transaction.atomic
def invitation_cancel(*, invitation, actor):
    ensure_may(actor, "members:write")
    invitation = Invitation.objects.select_for_update().select_related("user", "role").get(pk=invitation.pk)
    if not invitation.is_open:
        raise Conflict("This invitation is no longer open.")
    invitation.cancelled_at = clock.now()
    invitation.save(update_fields=["cancelled_at"])
    audit.record(
        action=AuditAction.INVITATION_CANCEL, organization=invitation.organization, actor=actor, target=invitation,
        target_name=invitation.user.get_username(), details={"role": invitation.role.name},
    )
    return invitation
