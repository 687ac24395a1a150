using System.Text;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine;
using SalesDash.Engine.Ingestion.Kafka;
using SalesDash.Engine.Quarantine;
using SalesDash.Engine.Stores;
using SalesDash.Engine.Tenants;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Quarantine;

/// <summary>One quarantined event as an Admin sees it; <see cref="Payload"/> is the event as JSON, exactly as held.</summary>
public sealed record QuarantineEntryView(
    string Id, string EventId, string Kind, string Channel, string Field, string Reason, DateTimeOffset QuarantinedAt, DateTimeOffset OccurredAt, string Payload);

/// <summary>What a retry did: "applied" (now counted) or "duplicate" (already counted; it leaves quarantine either way).</summary>
public sealed record QuarantineRetryView(string Id, string Outcome);

/// <summary>Asks a store's entity about its quarantine; the handlers below and any other caller share it.</summary>
public sealed class StoreQuarantineService(IRequiredActor<TenantStoreRegion> region, IOptions<EngineOptions> options)
{
    public async Task<IReadOnlyList<QuarantinedEvent>> ListAsync(StoreRef store, CancellationToken cancellationToken)
    {
        var listed = await AskAsync<StoreQuarantine.Listed>(new StoreQuarantine.List(store), cancellationToken);
        return listed.Entries;
    }

    public Task<StoreQuarantine.Retried> RetryAsync(StoreRef store, string id, CancellationToken cancellationToken) =>
        AskAsync<StoreQuarantine.Retried>(new StoreQuarantine.Retry(store, id), cancellationToken);

    public async Task<bool> DiscardAsync(StoreRef store, string id, CancellationToken cancellationToken) =>
        (await AskAsync<StoreQuarantine.Discarded>(new StoreQuarantine.Discard(store, id), cancellationToken)).Found;

    private async Task<T> AskAsync<T>(object message, CancellationToken cancellationToken)
    {
        var shardRegion = await region.GetAsync(cancellationToken);
        return await shardRegion.Ask<T>(message, options.Value.AskTimeout, cancellationToken);
    }
}

/// <summary>
/// A store's quarantine under /api/tenants/{tenantId}/stores/{storeId}/quarantine, for Admins: list, retry after a fix
/// (the guard and the fold run again with the code running now), discard.
/// </summary>
internal static class QuarantineApi
{
    public static IServiceCollection AddQuarantine(this IServiceCollection services)
    {
        services.AddSingleton<StoreQuarantineService>();
        return services;
    }

    /// <summary>Maps <c>/quarantine</c> on the store-scoped group, which has resolved the store (or answered 404) already.</summary>
    public static RouteGroupBuilder MapQuarantineApi(this RouteGroupBuilder store)
    {
        var quarantine = store.MapGroup("/quarantine").RequireOrgRole(OrgRole.Admin);
        quarantine.MapGet("/", ListAsync).WithName("ListQuarantine");
        quarantine.MapPost("/{id}/retry", RetryAsync).WithName("RetryQuarantined");
        quarantine.MapPost("/{id}/discard", DiscardAsync).WithName("DiscardQuarantined");
        return store;
    }

    private static async Task<Ok<IReadOnlyList<QuarantineEntryView>>> ListAsync(
        CurrentStore current, StoreQuarantineService quarantine, CancellationToken cancellationToken)
    {
        IReadOnlyList<QuarantineEntryView> views = [.. (await quarantine.ListAsync(current.Profile.Store, cancellationToken)).Select(View)];
        return TypedResults.Ok(views);
    }

    private static async Task<Results<Ok<QuarantineRetryView>, ProblemHttpResult>> RetryAsync(
        string id, CurrentStore current, StoreQuarantineService quarantine, CancellationToken cancellationToken)
    {
        var retried = await quarantine.RetryAsync(current.Profile.Store, id, cancellationToken);
        return retried.Outcome switch
        {
            RetryOutcome.Applied => TypedResults.Ok(new QuarantineRetryView(id, "applied")),
            RetryOutcome.Duplicate => TypedResults.Ok(new QuarantineRetryView(id, "duplicate")),
            RetryOutcome.NotFound => NotFound(id),
            // Still failing with the code running now: 422 naming the field, and the entry stays for a later fix.
            _ => TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Still unusable",
                detail: retried.Problem?.ToString() ?? "The event still cannot be counted.",
                extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["field"] = retried.Problem?.Field }),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DiscardAsync(
        string id, CurrentStore current, StoreQuarantineService quarantine, CancellationToken cancellationToken) =>
        await quarantine.DiscardAsync(current.Profile.Store, id, cancellationToken) ? TypedResults.NoContent() : NotFound(id);

    private static QuarantineEntryView View(QuarantinedEvent entry) => new(
        entry.Id, entry.Event.EventId ?? string.Empty, entry.Event.GetType().Name, entry.Event.Channel.ToString(), entry.Field, entry.Reason,
        entry.QuarantinedAt, entry.Event.OccurredAt, Encoding.UTF8.GetString(CommerceEventCodec.Encode(entry.Event)));

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not in quarantine", detail: $"No quarantined event has id '{id}'.");
}
