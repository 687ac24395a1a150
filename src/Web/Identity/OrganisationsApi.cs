using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesDash.Web.Hubs;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Identity;

public sealed record OrganisationView(string Id, string Name, string TimeZone, string ReportingCurrency, string Plan, string? Role);

public sealed record OrganisationUpdate(string? Name, string? TimeZone, string? ReportingCurrency);

public sealed record MemberView(string UserId, string Email, string DisplayName, string Role, DateTimeOffset JoinedAt);

public sealed record RoleChange(string? Role);

public sealed record InvitationRequest(string? Email, string? Role);

public sealed record InvitationView(Guid Id, string Email, string Role, string Status, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>What the inviter gets back: the link itself only when no mail server is configured to send it.</summary>
public sealed record InvitationCreated(Guid Id, string Email, string Role, DateTimeOffset ExpiresAt, bool Emailed, string? AcceptUrl);

/// <summary>An organisation's settings, members (roles, removal) and invitations, under /api/tenants/{tenantId}.</summary>
internal static class OrganisationsApi
{
    public static RouteGroupBuilder MapOrganisationsApi(this RouteGroupBuilder api)
    {
        var org = api.MapGroup("/tenants/{tenantId}");
        org.MapGet("/", GetAsync).WithName("GetOrganisation").RequireOrgRole(OrgRole.Viewer);
        org.MapPut("/", UpdateAsync).WithName("UpdateOrganisation").RequireOrgRole(OrgRole.Admin);

        var members = org.MapGroup("/members").RequireSignedInUser(OrgRole.Admin);
        members.MapGet("/", ListMembersAsync).WithName("ListMembers");
        members.MapPut("/{userId}", ChangeRoleAsync).WithName("ChangeMemberRole");
        members.MapDelete("/{userId}", RemoveMemberAsync).WithName("RemoveMember");

        var invitations = org.MapGroup("/invitations").RequireSignedInUser(OrgRole.Admin);
        invitations.MapGet("/", ListInvitationsAsync).WithName("ListInvitations");
        invitations.MapPost("/", InviteAsync).WithName("CreateInvitation");
        invitations.MapDelete("/{id:guid}", RevokeInvitationAsync).WithName("RevokeInvitation");

        api.MapPost("/invitations/{token}/accept", AcceptAsync).WithName("AcceptInvitation").RequireSignedInUser().RequireSignInRateLimit();
        return api;
    }

    /// <summary>A new organisation with an id made from its name, unique among organisations.</summary>
    internal static async Task<Organisation> CreateOrganisationAsync(
        AppIdentityDbContext db, string name, string timeZone, string currency, TimeProvider time, CancellationToken cancellationToken)
    {
        var slug = OrganisationRules.Slug(name);
        var id = slug;
        for (var n = 2; await db.Organisations.AnyAsync(o => o.Id == id, cancellationToken); n++)
        {
            id = $"{slug}-{n}";
        }

        var organisation = new Organisation
        {
            Id = id,
            Name = name,
            TimeZone = timeZone,
            ReportingCurrency = currency.ToUpperInvariant(),
            CreatedAt = time.GetUtcNow(),
        };
        db.Organisations.Add(organisation);
        await db.SaveChangesAsync(cancellationToken);
        return organisation;
    }

    private static async Task<Results<Ok<OrganisationView>, NotFound>> GetAsync(
        string tenantId, ClaimsPrincipal user, AppIdentityDbContext db, OrgAccess access, IPlanService plans, CancellationToken cancellationToken)
    {
        var org = await db.Organisations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == tenantId, cancellationToken);
        if (org is null)
        {
            return TypedResults.NotFound();
        }

        var role = await access.RoleInAsync(user, tenantId, cancellationToken);
        var plan = await plans.GetLimitsAsync(tenantId, cancellationToken);
        return TypedResults.Ok(new OrganisationView(org.Id, org.Name, org.TimeZone, org.ReportingCurrency, plan.Tier.ToString(), role?.ToString()));
    }

    private static async Task<Results<Ok<OrganisationView>, ValidationProblem, NotFound>> UpdateAsync(
        string tenantId, OrganisationUpdate update, ClaimsPrincipal user, AppIdentityDbContext db, OrgAccess access, IPlanService plans,
        CancellationToken cancellationToken)
    {
        var org = await db.Organisations.FirstOrDefaultAsync(o => o.Id == tenantId, cancellationToken);
        if (org is null)
        {
            return TypedResults.NotFound();
        }

        var errors = OrganisationRules.Validate(update.Name ?? org.Name, update.TimeZone ?? org.TimeZone, update.ReportingCurrency ?? org.ReportingCurrency);
        if (errors.Remove("organisationName", out var nameErrors))
        {
            errors["name"] = nameErrors;
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The settings are not valid");
        }

        org.Name = (update.Name ?? org.Name).Trim();
        org.TimeZone = update.TimeZone ?? org.TimeZone;
        org.ReportingCurrency = (update.ReportingCurrency ?? org.ReportingCurrency).ToUpperInvariant();
        await db.SaveChangesAsync(cancellationToken);
        var role = await access.RoleInAsync(user, tenantId, cancellationToken);
        var plan = await plans.GetLimitsAsync(tenantId, cancellationToken);
        return TypedResults.Ok(new OrganisationView(org.Id, org.Name, org.TimeZone, org.ReportingCurrency, plan.Tier.ToString(), role?.ToString()));
    }

    private static async Task<Ok<IReadOnlyList<MemberView>>> ListMembersAsync(string tenantId, AppIdentityDbContext db, CancellationToken cancellationToken)
    {
        var rows = await (from m in db.Memberships.AsNoTracking()
                          join u in db.Users.AsNoTracking() on m.UserId equals u.Id
                          where m.OrganisationId == tenantId
                          select new { m, u }).ToListAsync(cancellationToken);
        IReadOnlyList<MemberView> members = rows
            .OrderByDescending(r => r.m.Role).ThenBy(r => r.u.DisplayName, StringComparer.OrdinalIgnoreCase)
            .Select(r => new MemberView(r.u.Id, r.u.Email ?? string.Empty, r.u.DisplayName, r.m.Role.ToString(), r.m.JoinedAt))
            .ToList();
        return TypedResults.Ok(members);
    }

    private static async Task<Results<Ok<MemberView>, ValidationProblem, ProblemHttpResult>> ChangeRoleAsync(
        string tenantId, string userId, RoleChange change, ClaimsPrincipal user, AppIdentityDbContext db, OrgAccess access,
        CancellationToken cancellationToken)
    {
        if (!Enum.TryParse<OrgRole>(change.Role, ignoreCase: true, out var role) || !Enum.IsDefined(role))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["role"] = ["Role must be Viewer, Analyst, Admin or Owner."] });
        }

        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.OrganisationId == tenantId && m.UserId == userId, cancellationToken);
        if (membership is null)
        {
            return NoSuchMember(tenantId);
        }

        var callerRole = await access.RoleInAsync(user, tenantId, cancellationToken);
        if ((role == OrgRole.Owner || membership.Role == OrgRole.Owner) && callerRole != OrgRole.Owner)
        {
            return OwnersOnly("make or unmake Owners");
        }

        if (membership.Role == OrgRole.Owner && role != OrgRole.Owner && await IsLastOwnerAsync(db, tenantId, cancellationToken))
        {
            return LastOwner();
        }

        membership.Role = role;
        await db.SaveChangesAsync(cancellationToken);
        var member = await db.Users.AsNoTracking().FirstAsync(u => u.Id == userId, cancellationToken);
        return TypedResults.Ok(new MemberView(member.Id, member.Email ?? string.Empty, member.DisplayName, role.ToString(), membership.JoinedAt));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveMemberAsync(
        string tenantId, string userId, ClaimsPrincipal user, AppIdentityDbContext db, OrgAccess access, LiveAccessRevocations live,
        CancellationToken cancellationToken)
    {
        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.OrganisationId == tenantId && m.UserId == userId, cancellationToken);
        if (membership is null)
        {
            return NoSuchMember(tenantId);
        }

        if (membership.Role == OrgRole.Owner)
        {
            if (await access.RoleInAsync(user, tenantId, cancellationToken) != OrgRole.Owner)
            {
                return OwnersOnly("remove Owners");
            }

            if (await IsLastOwnerAsync(db, tenantId, cancellationToken))
            {
                return LastOwner();
            }
        }

        db.Memberships.Remove(membership);
        await db.SaveChangesAsync(cancellationToken);
        // Their open dashboards of this organisation stop receiving tiles now, on whichever node they are connected.
        live.Revoke(LiveGrants.Member(tenantId, userId));
        return TypedResults.NoContent();
    }

    private static async Task<bool> IsLastOwnerAsync(AppIdentityDbContext db, string tenantId, CancellationToken cancellationToken) =>
        await db.Memberships.CountAsync(m => m.OrganisationId == tenantId && m.Role == OrgRole.Owner, cancellationToken) <= 1;

    private static ProblemHttpResult NoSuchMember(string tenantId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown member", detail: $"That person is not a member of '{tenantId}'.");

    private static ProblemHttpResult OwnersOnly(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Role too low", detail: $"Only an Owner can {what}.");

    private static ProblemHttpResult LastOwner() =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Last Owner",
            detail: "An organisation needs at least one Owner: make someone else Owner first.");

    private static async Task<Ok<IReadOnlyList<InvitationView>>> ListInvitationsAsync(
        string tenantId, AppIdentityDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var rows = await db.Invitations.AsNoTracking().Where(i => i.OrganisationId == tenantId).ToListAsync(cancellationToken);
        IReadOnlyList<InvitationView> views = rows.OrderByDescending(i => i.CreatedAt)
            .Select(i => new InvitationView(i.Id, i.Email, i.Role.ToString(), Status(i, now), i.CreatedAt, i.ExpiresAt))
            .ToList();
        return TypedResults.Ok(views);
    }

    private static string Status(Invitation invitation, DateTimeOffset now) =>
        invitation.AcceptedAt is not null ? "Accepted"
        : invitation.RevokedAt is not null ? "Revoked"
        : invitation.ExpiresAt <= now ? "Expired"
        : "Pending";

    private static async Task<Results<Created<InvitationCreated>, ValidationProblem, ProblemHttpResult>> InviteAsync(
        string tenantId, InvitationRequest request, HttpContext http, AppIdentityDbContext db, OrgAccess access, InvitationMailer mailer,
        IOptions<SalesDashIdentityOptions> options, TimeProvider time, ILogger<InvitationMailer> logger, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(request.Email) || !System.Net.Mail.MailAddress.TryCreate(request.Email.Trim(), out _))
        {
            errors["email"] = ["Give the e-mail address to invite."];
        }

        if (!Enum.TryParse<OrgRole>(request.Role, ignoreCase: true, out var role) || !Enum.IsDefined(role))
        {
            errors["role"] = ["Role must be Viewer, Analyst, Admin or Owner."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The invitation is not valid");
        }

        if (role == OrgRole.Owner && await access.RoleInAsync(http.User, tenantId, cancellationToken) != OrgRole.Owner)
        {
            return OwnersOnly("invite Owners");
        }

        var org = await db.Organisations.AsNoTracking().FirstAsync(o => o.Id == tenantId, cancellationToken);
        var email = request.Email!.Trim();
        var token = ApiKeySecrets.Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        var invitation = new Invitation
        {
            Id = Guid.NewGuid(),
            OrganisationId = tenantId,
            Email = email,
            NormalizedEmail = email.ToUpperInvariant(),
            Role = role,
            TokenHash = ApiKeySecrets.Hash(token),
            InvitedBy = OrgAccess.UserId(http.User) ?? string.Empty,
            CreatedAt = now,
            ExpiresAt = now + options.Value.InvitationLifetime,
        };
        db.Invitations.Add(invitation);
        await db.SaveChangesAsync(cancellationToken);

        var baseUrl = string.IsNullOrWhiteSpace(options.Value.PublicBaseUrl)
            ? $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}"
            : options.Value.PublicBaseUrl.TrimEnd('/');
        var link = new Uri($"{baseUrl}/invitations/{token}");
        var emailed = false;
        if (mailer.Configured)
        {
            try
            {
                await mailer.SendAsync(email, org.Name, http.User.FindFirstValue(ClaimTypes.Name) ?? "A colleague", role, link, invitation.ExpiresAt, cancellationToken);
                emailed = true;
            }
            catch (Exception ex) when (ex is MailKit.ServiceNotConnectedException or MailKit.Net.Smtp.SmtpCommandException
                or MailKit.Net.Smtp.SmtpProtocolException or System.Net.Sockets.SocketException or IOException)
            {
                // The invitation stands; the admin gets the link to pass on, and the log says why mail failed.
                logger.LogWarning(ex, "Invitation e-mail to {Email} could not be sent", email);
            }
        }

        return TypedResults.Created($"/api/tenants/{tenantId}/invitations/{invitation.Id}",
            new InvitationCreated(invitation.Id, email, role.ToString(), invitation.ExpiresAt, emailed, emailed ? null : link.ToString()));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeInvitationAsync(
        string tenantId, Guid id, AppIdentityDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var invitation = await db.Invitations.FirstOrDefaultAsync(i => i.Id == id && i.OrganisationId == tenantId, cancellationToken);
        if (invitation is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown invitation", detail: "There is no such invitation.");
        }

        if (invitation.AcceptedAt is not null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Already accepted",
                detail: "This invitation was accepted; remove the member instead.");
        }

        invitation.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<OrganisationView>, ProblemHttpResult>> AcceptAsync(
        string token, ClaimsPrincipal user, AppIdentityDbContext db, IPlanService plans, TimeProvider time, CancellationToken cancellationToken)
    {
        var hash = ApiKeySecrets.Hash(token);
        var invitation = await db.Invitations.FirstOrDefaultAsync(i => i.TokenHash == hash, cancellationToken);
        var now = time.GetUtcNow();
        if (invitation is null || invitation.RevokedAt is not null || invitation.AcceptedAt is not null || invitation.ExpiresAt <= now)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Invitation not valid",
                detail: "This invitation link is unknown, was revoked, was already used or has expired. Ask for a new one.");
        }

        var userId = OrgAccess.UserId(user)!;
        var account = await db.Users.FirstAsync(u => u.Id == userId, cancellationToken);
        if (!string.Equals(account.NormalizedEmail, invitation.NormalizedEmail, StringComparison.Ordinal))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Different e-mail",
                detail: $"This invitation is for {invitation.Email}; you are signed in as {account.Email}.");
        }

        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.OrganisationId == invitation.OrganisationId && m.UserId == userId, cancellationToken);
        if (membership is null)
        {
            db.Memberships.Add(new Membership { OrganisationId = invitation.OrganisationId, UserId = userId, Role = invitation.Role, JoinedAt = now });
        }
        else if (membership.Role < invitation.Role)
        {
            membership.Role = invitation.Role;
        }

        invitation.AcceptedAt = now;
        invitation.AcceptedBy = userId;
        await db.SaveChangesAsync(cancellationToken);

        var org = await db.Organisations.AsNoTracking().FirstAsync(o => o.Id == invitation.OrganisationId, cancellationToken);
        var plan = await plans.GetLimitsAsync(org.Id, cancellationToken);
        var role = membership?.Role ?? invitation.Role;
        return TypedResults.Ok(new OrganisationView(org.Id, org.Name, org.TimeZone, org.ReportingCurrency, plan.Tier.ToString(), role.ToString()));
    }
}
