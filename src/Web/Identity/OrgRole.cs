namespace SalesDash.Web.Identity;

/// <summary>A member's role in an organisation; each role can do everything the roles below it can.</summary>
public enum OrgRole
{
    /// <summary>Reads dashboards, history and alerts.</summary>
    Viewer = 0,

    /// <summary>Also builds dashboards, custom metrics, reports and exports.</summary>
    Analyst = 1,

    /// <summary>Also manages stores, channels, alert rules, API keys and invitations.</summary>
    Admin = 2,

    /// <summary>Also changes the plan, branding and other owners, and deletes the organisation.</summary>
    Owner = 3,
}

/// <summary>
/// Endpoint metadata: the least role a caller needs in the organisation named by the route's <c>tenantId</c>
/// (the organisation id). The authorization layer reads it from every endpoint, so an endpoint states its
/// need where it is mapped instead of in a central table that can drift.
/// </summary>
public sealed record OrgRoleRequirement(OrgRole Minimum);

/// <summary>Claim types SalesDash puts on a signed-in principal, whether it came from a cookie or an API key.</summary>
public static class SalesDashClaims
{
    /// <summary>Present only when the caller authenticated with an API key: the key's id (never the secret).</summary>
    public const string ApiKeyId = "salesdash:api_key_id";

    /// <summary>The organisation an API key belongs to; a key acts only inside it.</summary>
    public const string ApiKeyOrganisation = "salesdash:api_key_org";

    /// <summary>A scope granted to an API key (one claim per scope), e.g. "read" or "write".</summary>
    public const string ApiKeyScope = "salesdash:api_key_scope";
}

public static class OrgRoleEndpointExtensions
{
    /// <summary>States the least organisation role this endpoint (or every endpoint of this group) needs.</summary>
    public static TBuilder RequireOrgRole<TBuilder>(this TBuilder builder, OrgRole minimum)
        where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new OrgRoleRequirement(minimum));
}
