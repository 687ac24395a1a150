using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using SalesDash.Engine;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Audit;

/// <summary>GET /api/tenants/{tenantId}/audit: the organisation's audit log for admins, newest first, paged and filtered.</summary>
public static class AuditApi
{
    public const int MaxLimit = 200;

    private static readonly HashSet<string> Outcomes = new(StringComparer.Ordinal) { "succeeded", "refused", "failed" };

    public static RouteGroupBuilder MapAuditApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/tenants/{tenantId}/audit", QueryAsync).WithName("GetAuditLog").RequireOrgRole(OrgRole.Admin);
        return api;
    }

    private static async Task<Results<Ok<AuditPage>, ProblemHttpResult>> QueryAsync(
        string tenantId, string? actor, string? action, string? outcome, DateTimeOffset? from, DateTimeOffset? to, long? before, int? limit,
        IAuditLog log, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return Bad($"limit must be between 1 and {MaxLimit}.");
        }

        if (outcome is not null && !Outcomes.Contains(outcome))
        {
            return Bad($"outcome '{outcome}' is not one of {string.Join(", ", Outcomes)}.");
        }

        if (from is { } f && to is { } t && f >= t)
        {
            return Bad("from must be before to.");
        }

        return TypedResults.Ok(await log.QueryAsync(
            new AuditQuery(tenantId, Blank(actor), Blank(action), outcome, from, to, before, limit ?? 50), cancellationToken));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static ProblemHttpResult Bad(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid audit query", detail: detail);
}

public static class AuditHosting
{
    /// <summary>The append-only audit log in {Engine:DataDirectory}/audit.db.</summary>
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton<IAuditLog, EfAuditLog>();
        services.AddSingleton<AuditMetrics>();
        return services;
    }

    /// <summary>Records every mutating /api request by a member; goes first in the pipeline so refusals and failures are recorded too.</summary>
    public static IApplicationBuilder UseAudit(this IApplicationBuilder app) => app.UseMiddleware<AuditMiddleware>();
}
