using Microsoft.AspNetCore.Identity;

namespace SalesDash.Web.Identity;

/// <summary>A person who signs in; the e-mail is the user name. Passwords are hashed by Identity's hasher.</summary>
public sealed class AppUser : IdentityUser
{
    public string DisplayName { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>An organisation; its id is the slug every tenant-scoped route calls <c>tenantId</c>.</summary>
public sealed class Organisation
{
    public string Id { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    /// <summary>IANA time zone, e.g. Europe/London: where the organisation's days begin and end.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>ISO 4217 code figures across stores are reported in.</summary>
    public string ReportingCurrency { get; set; } = "USD";

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A user's role in one organisation.</summary>
public sealed class Membership
{
    public string OrganisationId { get; set; } = string.Empty;

    public string UserId { get; set; } = string.Empty;

    public OrgRole Role { get; set; }

    public DateTimeOffset JoinedAt { get; set; }
}

/// <summary>An invitation to join an organisation; only the SHA-256 of its token is kept, so a database leak accepts nothing.</summary>
public sealed class Invitation
{
    public Guid Id { get; set; }

    public string OrganisationId { get; set; } = string.Empty;

    public string Email { get; set; } = string.Empty;

    /// <summary>Upper-case e-mail, compared with the accepting user's normalised e-mail.</summary>
    public string NormalizedEmail { get; set; } = string.Empty;

    public OrgRole Role { get; set; }

    public string TokenHash { get; set; } = string.Empty;

    public string InvitedBy { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? AcceptedAt { get; set; }

    public string? AcceptedBy { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>An organisation's key for the public API. The secret is shown once; only its SHA-256 is kept.</summary>
public sealed class ApiKey
{
    public Guid Id { get; set; }

    public string OrganisationId { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    /// <summary>The key's public start (e.g. sdk_ab12cd34), shown in lists so people can tell keys apart; unique.</summary>
    public string Prefix { get; set; } = string.Empty;

    public string SecretHash { get; set; } = string.Empty;

    public bool CanRead { get; set; }

    public bool CanWrite { get; set; }

    public string CreatedBy { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public IReadOnlyList<string> Scopes => [.. CanRead ? new[] { ApiKeyScopes.Read } : [], .. CanWrite ? new[] { ApiKeyScopes.Write } : []];
}

public static class ApiKeyScopes
{
    /// <summary>GET (and HEAD) requests.</summary>
    public const string Read = "read";

    /// <summary>Requests that change something (POST, PUT, PATCH, DELETE).</summary>
    public const string Write = "write";
}
