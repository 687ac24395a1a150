using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Engine.History;
using SalesDash.Web.Identity;

namespace SalesDash.Web.History;

/// <summary>One fact or minute row the history store refused, as an Admin sees it.</summary>
/// <param name="Payload">The refused item as JSON.</param>
public sealed record DeadLetterView(string StoreId, string Kind, string Key, string Reason, string Payload, DateTimeOffset RefusedAt);

/// <summary>The organisation's dead letters, newest first, and how many were asked for.</summary>
public sealed record DeadLettersResponse(string TenantId, int Limit, IReadOnlyList<DeadLetterView> Items);

/// <summary>
/// GET /api/tenants/{tenantId}/history/dead-letters (Admin): what history is missing because the store refused it (a
/// figure too large for Decimal(18,2), ...), with the reason and the item itself, so nothing refused is lost from view.
/// </summary>
internal static class HistoryDeadLettersApi
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;

    public static RouteGroupBuilder MapHistoryDeadLettersApi(this RouteGroupBuilder group)
    {
        group.MapGet("/tenants/{tenantId}/history/dead-letters", ListAsync).WithName("GetHistoryDeadLetters").RequireOrgRole(OrgRole.Admin);
        return group;
    }

    private static async Task<Results<Ok<DeadLettersResponse>, ProblemHttpResult>> ListAsync(
        string tenantId, int? limit, IHistoryStore history, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid limit",
                detail: $"limit must be between 1 and {MaxLimit}.");
        }

        var take = limit ?? DefaultLimit;
        var letters = await history.DeadLettersAsync(tenantId, take, cancellationToken);
        return TypedResults.Ok(new DeadLettersResponse(tenantId, take,
            [.. letters.Select(l => new DeadLetterView(l.StoreId, l.Kind, l.Key, l.Reason, l.Payload, l.At))]));
    }
}
