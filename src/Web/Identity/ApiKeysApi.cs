using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SalesDash.Web.Hubs;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Identity;

public sealed record ApiKeyRequest(string? Name, string[]? Scopes);

public sealed record ApiKeyView(Guid Id, string Name, string Prefix, IReadOnlyList<string> Scopes, string CreatedBy, DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>The one answer that carries the secret; it is never shown again.</summary>
public sealed record ApiKeyCreated(Guid Id, string Name, string Prefix, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, string Key);

/// <summary>An organisation's API keys: create (secret shown once), list (never the secret), revoke.</summary>
internal static class ApiKeysApi
{
    public static RouteGroupBuilder MapApiKeysApi(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/tenants/{tenantId}/api-keys").RequireSignedInUser(OrgRole.Admin);
        keys.MapGet("/", ListAsync).WithName("ListApiKeys");
        keys.MapPost("/", CreateAsync).WithName("CreateApiKey");
        keys.MapDelete("/{id:guid}", RevokeAsync).WithName("RevokeApiKey");
        return api;
    }

    private static async Task<Ok<IReadOnlyList<ApiKeyView>>> ListAsync(string tenantId, AppIdentityDbContext db, CancellationToken cancellationToken)
    {
        var rows = await (from k in db.ApiKeys.AsNoTracking()
                          join u in db.Users.AsNoTracking() on k.CreatedBy equals u.Id into creators
                          from u in creators.DefaultIfEmpty()
                          where k.OrganisationId == tenantId
                          select new { k, Creator = u == null ? null : u.Email }).ToListAsync(cancellationToken);
        IReadOnlyList<ApiKeyView> views = rows.OrderByDescending(r => r.k.CreatedAt)
            .Select(r => new ApiKeyView(r.k.Id, r.k.Name, r.k.Prefix, r.k.Scopes, r.Creator ?? string.Empty, r.k.CreatedAt, r.k.LastUsedAt, r.k.RevokedAt))
            .ToList();
        return TypedResults.Ok(views);
    }

    private static async Task<Results<Created<ApiKeyCreated>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        string tenantId, ApiKeyRequest request, ClaimsPrincipal user, AppIdentityDbContext db, IPlanService plans, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var limits = await plans.GetLimitsAsync(tenantId, cancellationToken);
        if (PlanLimitProblems.Feature(limits, PlanFeature.ApiAccess) is { } refused)
        {
            return refused;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100)
        {
            errors["name"] = ["Name the key (1 to 100 characters), e.g. after the integration that uses it."];
        }

        var scopes = (request.Scopes ?? [ApiKeyScopes.Read]).Select(s => s.Trim().ToLowerInvariant()).Distinct().ToList();
        if (scopes.Count == 0 || scopes.Any(s => s is not (ApiKeyScopes.Read or ApiKeyScopes.Write)))
        {
            errors["scopes"] = ["Scopes are \"read\" (GET requests) and/or \"write\" (changes)."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The API key is not valid");
        }

        var (prefix, key, hash) = ApiKeySecrets.Generate();
        var apiKey = new ApiKey
        {
            Id = Guid.NewGuid(),
            OrganisationId = tenantId,
            Name = name!,
            Prefix = prefix,
            SecretHash = hash,
            // Write implies read: a key that may change a dashboard may also read it back.
            CanRead = true,
            CanWrite = scopes.Contains(ApiKeyScopes.Write),
            CreatedBy = OrgAccess.UserId(user) ?? string.Empty,
            CreatedAt = time.GetUtcNow(),
        };
        db.ApiKeys.Add(apiKey);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/tenants/{tenantId}/api-keys/{apiKey.Id}",
            new ApiKeyCreated(apiKey.Id, apiKey.Name, apiKey.Prefix, apiKey.Scopes, apiKey.CreatedAt, key));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string tenantId, Guid id, AppIdentityDbContext db, TimeProvider time, LiveAccessRevocations live, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id && k.OrganisationId == tenantId, cancellationToken);
        if (key is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown API key", detail: "There is no such API key.");
        }

        key.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        // Live subscriptions made with the key end now, on whichever node they are connected.
        live.Revoke(LiveGrants.ApiKey(key.Id.ToString()));
        return TypedResults.NoContent();
    }
}
