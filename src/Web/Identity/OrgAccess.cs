using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Identity;

/// <summary>Why a caller may or may not act in an organisation.</summary>
public enum AccessOutcome
{
    Allowed,

    /// <summary>Nobody is signed in (401).</summary>
    Unauthenticated,

    /// <summary>The caller is not a member; answered 404 so the organisation's existence is not revealed.</summary>
    NotMember,

    /// <summary>A member whose role is below the endpoint's (403).</summary>
    RoleTooLow,

    /// <summary>An API key without the scope the request's method needs (403).</summary>
    ScopeMissing,

    /// <summary>An API key of an organisation whose plan has no API access (403).</summary>
    PlanWithoutApiAccess,

    /// <summary>An API key on an endpoint only a signed-in person may use (403).</summary>
    UserOnly,
}

/// <param name="PlanProblem">The plan-limit problem (limit, usage, the tier that allows it) when the plan, not the role, refused.</param>
public sealed record AccessDecision(AccessOutcome Outcome, OrgRole? Role, string Detail, IResult? PlanProblem = null)
{
    public bool Allowed => Outcome == AccessOutcome.Allowed;

    public int StatusCode => Outcome switch
    {
        AccessOutcome.Allowed => StatusCodes.Status200OK,
        AccessOutcome.Unauthenticated => StatusCodes.Status401Unauthorized,
        AccessOutcome.NotMember => StatusCodes.Status404NotFound,
        _ => StatusCodes.Status403Forbidden,
    };

    public string Title => Outcome switch
    {
        AccessOutcome.Unauthenticated => "Sign-in required",
        AccessOutcome.NotMember => "Not found",
        AccessOutcome.RoleTooLow => "Role too low",
        AccessOutcome.ScopeMissing => "API key scope missing",
        AccessOutcome.PlanWithoutApiAccess => "Plan has no API access",
        AccessOutcome.UserOnly => "Sign-in required",
        _ => "Allowed",
    };

    public IResult ToProblem() => PlanProblem ?? TypedResults.Problem(statusCode: StatusCode, title: Title, detail: Detail);
}

/// <summary>Marks an endpoint that an API key may not call (managing keys, members, invitations, the caller's own account).</summary>
public sealed record SignedInUserRequirement;

/// <summary>
/// Answers "may this principal act in this organisation with at least this role?" for the HTTP filter, the hub
/// and handlers whose organisation is only known after a lookup (an import by id). Memberships are read on every
/// call, so a changed or removed role takes effect on the next request, not at the next sign-in.
/// </summary>
public sealed class OrgAccess(IDbContextFactory<AppIdentityDbContext> databases, IPlanService plans)
{
    public static bool IsApiKey(ClaimsPrincipal user) => user.HasClaim(c => c.Type == SalesDashClaims.ApiKeyId);

    public static string? UserId(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && !IsApiKey(user) ? user.FindFirstValue(ClaimTypes.NameIdentifier) : null;

    /// <summary>The caller's role in the organisation, or null when they are not in it (or not signed in).</summary>
    public async Task<OrgRole?> RoleInAsync(ClaimsPrincipal user, string tenantId, CancellationToken cancellationToken)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        if (IsApiKey(user))
        {
            // A key acts only inside its own organisation; what it may do there is bounded by its scopes, not a role.
            return string.Equals(user.FindFirstValue(SalesDashClaims.ApiKeyOrganisation), tenantId, StringComparison.Ordinal)
                ? OrgRole.Admin
                : null;
        }

        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var membership = await db.Memberships.AsNoTracking()
            .FirstOrDefaultAsync(m => m.OrganisationId == tenantId && m.UserId == userId, cancellationToken);
        return membership?.Role;
    }

    /// <summary>Every organisation the caller can see, with the caller's role in it.</summary>
    public async Task<IReadOnlyList<(Organisation Organisation, OrgRole Role)>> OrganisationsOfAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return [];
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (IsApiKey(user))
        {
            var keyOrg = user.FindFirstValue(SalesDashClaims.ApiKeyOrganisation);
            var org = await db.Organisations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == keyOrg, cancellationToken);
            return org is null ? [] : [(org, OrgRole.Admin)];
        }

        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        var rows = await (from m in db.Memberships.AsNoTracking()
                          join o in db.Organisations.AsNoTracking() on m.OrganisationId equals o.Id
                          where m.UserId == userId
                          select new { o, m.Role }).ToListAsync(cancellationToken);
        return rows.OrderBy(r => r.o.Name, StringComparer.OrdinalIgnoreCase).Select(r => (r.o, r.Role)).ToList();
    }

    /// <summary>
    /// The whole decision for one request: signed in, a member of <paramref name="tenantId"/> (when the route names
    /// one), role at least <paramref name="minimum"/>, and for API keys the plan's API access and the method's scope.
    /// </summary>
    public async Task<AccessDecision> DecideAsync(
        ClaimsPrincipal user, string? tenantId, OrgRole minimum, string method, bool userOnly, CancellationToken cancellationToken)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return new(AccessOutcome.Unauthenticated, null, "Sign in, or send an API key as 'Authorization: Bearer <key>'.");
        }

        if (IsApiKey(user))
        {
            if (userOnly)
            {
                return new(AccessOutcome.UserOnly, null, "This endpoint is for signed-in people; API keys cannot use it.");
            }

            var keyOrg = user.FindFirstValue(SalesDashClaims.ApiKeyOrganisation)!;
            var limits = await plans.GetLimitsAsync(keyOrg, cancellationToken);
            if (PlanLimitProblems.Feature(limits, PlanFeature.ApiAccess) is { } refused)
            {
                return new(AccessOutcome.PlanWithoutApiAccess, null, PlanLimitProblems.FeatureDetail(limits, PlanFeature.ApiAccess), refused);
            }

            var writes = !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method));
            var needed = writes ? ApiKeyScopes.Write : ApiKeyScopes.Read;
            if (!user.HasClaim(SalesDashClaims.ApiKeyScope, needed))
            {
                return new(AccessOutcome.ScopeMissing, null, $"This API key lacks the '{needed}' scope that {method} requests need.");
            }
        }

        if (tenantId is null)
        {
            // No organisation in the route (e.g. the caller's own store list): signed in is enough here, and the
            // handler narrows what it returns to the caller's organisations.
            return new(AccessOutcome.Allowed, null, string.Empty);
        }

        var role = await RoleInAsync(user, tenantId, cancellationToken);
        if (role is null)
        {
            return new(AccessOutcome.NotMember, null, $"There is no organisation '{tenantId}'.");
        }

        return role.Value >= minimum
            ? new(AccessOutcome.Allowed, role, string.Empty)
            : new(AccessOutcome.RoleTooLow, role, $"This needs the {minimum} role or higher in '{tenantId}'; you are {role.Value}.");
    }
}

/// <summary>
/// Enforces <see cref="OrgRoleRequirement"/> on every endpoint that declares it, reading the organisation from the
/// route's <c>tenantId</c>: 401 when nobody is signed in, 404 when the caller is not a member, 403 when the role
/// (or an API key's scope or plan) is not enough — all problem+json, before the handler runs.
/// </summary>
public sealed class OrgRoleEnforcement(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, OrgAccess access)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        var requirement = metadata?.GetMetadata<OrgRoleRequirement>();
        if (requirement is null)
        {
            await next(context);
            return;
        }

        var tenantId = context.Request.RouteValues.TryGetValue("tenantId", out var value) ? value as string : null;
        var userOnly = metadata!.GetMetadata<SignedInUserRequirement>() is not null;
        var decision = await access.DecideAsync(context.User, tenantId, requirement.Minimum, context.Request.Method, userOnly, context.RequestAborted);
        if (decision.Outcome == AccessOutcome.Unauthenticated && ApiKeyAuthenticationHandler.PresentedKey(context.Request) is not null)
        {
            // A key was sent but did not authenticate: say why (unknown, revoked) rather than "sign in".
            var failure = (await context.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName)).Failure?.Message ?? "Unknown API key.";
            decision = decision with { Detail = failure };
        }

        if (!decision.Allowed)
        {
            await decision.ToProblem().ExecuteAsync(context);
            return;
        }

        await next(context);
    }
}

public static class SignedInUserEndpointExtensions
{
    /// <summary>Signed-in people only (no API keys); organisation role as stated.</summary>
    public static TBuilder RequireSignedInUser<TBuilder>(this TBuilder builder, OrgRole minimum = OrgRole.Viewer)
        where TBuilder : IEndpointConventionBuilder
        => builder.RequireOrgRole(minimum).WithMetadata(new SignedInUserRequirement());
}
