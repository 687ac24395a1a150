using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Connectors;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Stores;
using SalesDash.Web.Audit;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Channels;

/// <summary>What the settings form sends; credentials left out keep their stored values, so secrets need not be retyped.</summary>
public sealed record ChannelConnectionRequest(
    bool Enabled,
    Dictionary<string, string>? Settings,
    Dictionary<string, string>? Credentials,
    int? PollIntervalSeconds);

/// <summary>A connection as the API shows it: settings, the names of the credentials that are set (never their values), status.</summary>
public sealed record ChannelConnectionView(
    string Channel,
    string Kind,
    bool Enabled,
    IReadOnlyDictionary<string, string> Settings,
    IReadOnlyList<string> CredentialsSet,
    int PollIntervalSeconds,
    string? WebhookPath,
    ChannelSyncStatus Status);

/// <summary>A channel the form can offer, and what it asks for.</summary>
public sealed record ChannelCatalogEntry(string Channel, string Kind, IReadOnlyList<string> RequiredSettings, IReadOnlyList<string> OptionalSettings,
    IReadOnlyList<string> Credentials, string? WebhookPath, string Description)
{
    /// <summary>Secrets the form may ask for but need not have.</summary>
    public IReadOnlyList<string> OptionalCredentials { get; init; } = [];
}

/// <summary>Connecting channels: per-store settings and credentials, test connection, sync now, sync status, shipments.</summary>
public static class ChannelsApi
{
    private static readonly TimeSpan MinimumPollInterval = TimeSpan.FromMinutes(1);

    /// <summary>GET /api/channels/catalog: what each channel asks for; not about any store.</summary>
    public static RouteGroupBuilder MapChannelCatalog(this RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        group.MapGet("/catalog", Catalog).WithName("ChannelCatalog").RequireOrgRole(OrgRole.Viewer);
        return group;
    }

    /// <summary>
    /// Maps /channels and /shipments on the store-scoped group, which has checked the role and resolved the store (or
    /// answered 404), and moves the old /api/channels/{tenantId}/{storeId}/… addresses there with 308.
    /// </summary>
    public static RouteGroupBuilder MapChannelsApi(this RouteGroupBuilder store, IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(app);
        store.MapGet("/shipments", ShipmentsApi.GetAsync).WithName("ListShipments");
        var channels = store.MapGroup("/channels");
        channels.MapGet("/", ListAsync).WithName("ListChannelConnections");
        channels.MapGet("/{channel}", GetAsync).WithName("GetChannelConnection");
        channels.MapPut("/{channel}", PutAsync).WithName("SaveChannelConnection").RequireOrgRole(OrgRole.Admin);
        channels.MapDelete("/{channel}", DeleteAsync).WithName("DeleteChannelConnection").RequireOrgRole(OrgRole.Admin);
        channels.MapGet("/{channel}/status", StatusAsync).WithName("GetChannelSyncStatus");
        channels.MapPost("/{channel}/test", TestAsync).WithName("TestChannelConnection").RequireOrgRole(OrgRole.Admin);
        channels.MapPost("/{channel}/sync", SyncAsync).WithName("SyncChannelNow").RequireOrgRole(OrgRole.Admin);

        app.MapMovedStoreRoute("/api/channels", string.Empty, "channels");
        app.MapMovedStoreRoute("/api/channels", "shipments");
        app.MapMovedStoreRoute("/api/channels", "{channel}", "channels/{channel}");
        foreach (var action in (string[])["status", "test", "sync"])
        {
            app.MapMovedStoreRoute("/api/channels", $"{{channel}}/{action}", $"channels/{{channel}}/{action}");
        }

        return store;
    }

    private static Ok<IReadOnlyList<ChannelCatalogEntry>> Catalog() =>
        TypedResults.Ok<IReadOnlyList<ChannelCatalogEntry>>(ChannelCatalog.All
            .Select(d => new ChannelCatalogEntry(d.Channel.ToString(), Kind(d.Kind), d.RequiredSettings, d.OptionalSettings, d.RequiredCredentials, d.WebhookPath, d.Description)
            {
                OptionalCredentials = d.OptionalCredentials,
            })
            .ToList());

    private static async Task<Ok<IReadOnlyList<ChannelConnectionView>>> ListAsync(
        CurrentStore current, IChannelConnectionStore connections, CancellationToken cancellationToken)
    {
        var store = current.Profile.Store;
        var views = new List<ChannelConnectionView>();
        foreach (var connection in await connections.ListAsync(store, cancellationToken))
        {
            views.Add(View(connection, await connections.GetStatusAsync(store, connection.Channel, cancellationToken)));
        }

        return TypedResults.Ok<IReadOnlyList<ChannelConnectionView>>(views);
    }

    private static async Task<Results<Ok<ChannelConnectionView>, ProblemHttpResult>> GetAsync(
        string channel, CurrentStore current, IChannelConnectionStore connections, CancellationToken cancellationToken)
    {
        if (!TryChannel(channel, out var parsed, out var problem))
        {
            return problem;
        }

        var store = current.Profile.Store;
        var connection = await connections.GetAsync(store, parsed, cancellationToken);
        return connection is null
            ? NotConnected(store, parsed)
            : TypedResults.Ok(View(connection, await connections.GetStatusAsync(store, parsed, cancellationToken)));
    }

    private static async Task<Results<Ok<ChannelConnectionView>, ValidationProblem, ProblemHttpResult>> PutAsync(
        string channel, CurrentStore current, ChannelConnectionRequest request,
        IChannelConnectionStore connections, ICursorStore cursors, TimeProvider time, IPlanService plans, PlanUsage usage,
        HttpContext http, CancellationToken cancellationToken)
    {
        if (!TryChannel(channel, out var parsed, out var problem))
        {
            return problem;
        }

        var store = current.Profile.Store;
        var tenantId = store.TenantId;
        var descriptor = ChannelCatalog.Find(parsed)!;
        var existing = await connections.GetAsync(store, parsed, cancellationToken);
        var settings = Clean(request.Settings);
        var credentials = new Dictionary<string, string>(existing?.Credentials ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (key, value) in Clean(request.Credentials))
        {
            credentials[key] = value;
        }

        // The channel's module declares its fields (name, required, secret, type) and rules; the answer names each field.
        var errors = descriptor.Validate(new ConnectionValues(settings, credentials))
            .GroupBy(p => p.Field, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Problem).ToArray(), StringComparer.Ordinal);

        var interval = request.PollIntervalSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : existing?.PollInterval ?? TimeSpan.FromMinutes(5);
        if (interval < MinimumPollInterval)
        {
            errors["pollIntervalSeconds"] = [$"At least {MinimumPollInterval.TotalSeconds:0} seconds: channels rate-limit faster polling."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: $"The {parsed} connection is incomplete");
        }

        // Only a new selling source counts against the plan; editing a connection, connecting an analytics or ad
        // source, or a store's own platform is always allowed.
        if (existing is null && PlanCatalog.IsSalesChannel(parsed) && current.Profile.Channel != parsed
            && PlanLimitProblems.CountLimit(await plans.GetLimitsAsync(tenantId, cancellationToken), "sales channels",
                await usage.SalesChannelsAsync(tenantId, cancellationToken), l => l.MaxSalesChannels) is { } refused)
        {
            return refused;
        }

        var connection = new ChannelConnection(store, parsed, request.Enabled, settings, credentials, interval, time.GetUtcNow());
        await connections.UpsertAsync(connection, cancellationToken);
        http.Note(ConnectionChange(existing, connection));

        var status = await connections.GetStatusAsync(store, parsed, cancellationToken);
        if (existing is not null && descriptor.AccountKey(Values(existing)) != descriptor.AccountKey(Values(connection)))
        {
            // Another account (or property) behind the same channel: its history starts over.
            foreach (var stream in descriptor.CursorStreams)
            {
                await cursors.DeleteAsync(store, stream, cancellationToken);
            }
        }

        // Saving is how a person answers "credentials rejected": poll again on the next scheduler pass.
        status = status with { NextSyncAt = descriptor.Kind == ChannelKind.Poller ? time.GetUtcNow() : null };
        await connections.SaveStatusAsync(store, parsed, status, cancellationToken);
        return TypedResults.Ok(View(connection, status));
    }

    /// <summary>
    /// What a save changed, for the audit log: enabled, poll interval and settings with their values (none is secret),
    /// and only the names of credentials that changed — never their values.
    /// </summary>
    private static string ConnectionChange(ChannelConnection? before, ChannelConnection after)
    {
        if (before is null)
        {
            return $"connected ({(after.Enabled ? "enabled" : "disabled")}, every {after.PollInterval.TotalSeconds:0} s)";
        }

        var parts = new List<string>();
        if (before.Enabled != after.Enabled)
        {
            parts.Add(after.Enabled ? "enabled" : "disabled");
        }

        if (before.PollInterval != after.PollInterval)
        {
            parts.Add($"poll interval {before.PollInterval.TotalSeconds:0} s → {after.PollInterval.TotalSeconds:0} s");
        }

        foreach (var key in before.Settings.Keys.Union(after.Settings.Keys).Order(StringComparer.Ordinal))
        {
            var was = before.Settings.GetValueOrDefault(key);
            var now = after.Settings.GetValueOrDefault(key);
            if (was != now)
            {
                parts.Add($"{key} '{was}' → '{now}'");
            }
        }

        var credentials = after.Credentials.Keys.Where(k => before.Credentials.GetValueOrDefault(k) != after.Credentials[k]).Order(StringComparer.Ordinal).ToList();
        if (credentials.Count > 0)
        {
            parts.Add($"credentials replaced: {string.Join(", ", credentials)}");
        }

        return parts.Count == 0 ? "saved unchanged" : string.Join("; ", parts);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string channel, CurrentStore current, IChannelConnectionStore connections, ICursorStore cursors, CancellationToken cancellationToken)
    {
        if (!TryChannel(channel, out var parsed, out var problem))
        {
            return problem;
        }

        var store = current.Profile.Store;
        if (!await connections.DeleteAsync(store, parsed, cancellationToken))
        {
            return NotConnected(store, parsed);
        }

        foreach (var stream in ChannelCatalog.Find(parsed)!.CursorStreams)
        {
            await cursors.DeleteAsync(store, stream, cancellationToken);
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ChannelSyncStatus>, ProblemHttpResult>> StatusAsync(
        string channel, CurrentStore current, IChannelConnectionStore connections, CancellationToken cancellationToken)
    {
        if (!TryChannel(channel, out var parsed, out var problem))
        {
            return problem;
        }

        var store = current.Profile.Store;
        return await connections.GetAsync(store, parsed, cancellationToken) is null
            ? NotConnected(store, parsed)
            : TypedResults.Ok(await connections.GetStatusAsync(store, parsed, cancellationToken));
    }

    private static async Task<Results<Ok<ConnectionCheck>, ProblemHttpResult>> TestAsync(
        string channel, CurrentStore current, ChannelSyncRunner runner, CancellationToken cancellationToken)
    {
        if (!TryChannel(channel, out var parsed, out var problem))
        {
            return problem;
        }

        var store = current.Profile.Store;
        var check = await runner.TestAsync(store, parsed, cancellationToken);
        return check is null ? NotConnected(store, parsed) : TypedResults.Ok(check);
    }

    private static async Task<Results<Ok<ChannelSyncStatus>, ProblemHttpResult>> SyncAsync(
        string channel, CurrentStore current, ChannelSyncRunner runner, CancellationToken cancellationToken)
    {
        if (!TryChannel(channel, out var parsed, out var problem))
        {
            return problem;
        }

        if (ChannelCatalog.Find(parsed)?.Kind != ChannelKind.Poller)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a polled channel",
                detail: $"{parsed} pushes its events through webhooks; there is nothing to sync.");
        }

        var store = current.Profile.Store;
        var status = await runner.SyncAsync(store, parsed, cancellationToken);
        return status is null ? NotConnected(store, parsed) : TypedResults.Ok(status);
    }

    private static ChannelConnectionView View(ChannelConnection connection, ChannelSyncStatus status)
    {
        var descriptor = ChannelCatalog.Find(connection.Channel)!;
        return new ChannelConnectionView(
            connection.Channel.ToString(),
            Kind(descriptor.Kind),
            connection.Enabled,
            connection.Settings,
            connection.Credentials.Keys.Order(StringComparer.Ordinal).ToList(),
            (int)connection.PollInterval.TotalSeconds,
            descriptor.WebhookPathFor(connection.Store.TenantId, connection.Store.StoreId),
            status);
    }

    private static ConnectionValues Values(ChannelConnection connection) => new(connection.Settings, connection.Credentials);

    private static Dictionary<string, string> Clean(Dictionary<string, string>? values) =>
        (values ?? []).Where(p => !string.IsNullOrWhiteSpace(p.Value)).ToDictionary(p => p.Key.Trim(), p => p.Value.Trim(), StringComparer.Ordinal);

    private static string Kind(ChannelKind kind) => kind == ChannelKind.Webhook ? "webhook" : "poller";

    private static bool TryChannel(string text, out SalesChannel channel, out ProblemHttpResult problem)
    {
        problem = null!;
        if (Enum.TryParse(text, ignoreCase: true, out channel) && ChannelCatalog.Find(channel) is not null && !int.TryParse(text, out _))
        {
            return true;
        }

        problem = TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown channel",
            detail: $"'{text}' is not a channel SalesDash connects (known: {string.Join(", ", ChannelCatalog.All.Select(d => d.Channel))}).");
        return false;
    }

    private static ProblemHttpResult NotConnected(StoreRef store, SalesChannel channel) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Channel not connected",
            detail: $"{channel} is not connected for {store}.");
}
