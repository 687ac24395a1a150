using System.Security.Claims;
using Akka.Actor;
using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Connectors.Shopify;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Stores;
using SalesDash.Web.AppData;
using SalesDash.Web.Audit;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Stores;

/// <summary>A store as the dashboard lists it; the webhook secret never leaves the server.</summary>
/// <param name="DisconnectedAt">When an Admin disconnected it (it takes no data until reconnected); null while connected.</param>
public sealed record StoreSummary(string TenantId, string StoreId, string Name, string Channel, string Currency, string TimeZone, DateTimeOffset? DisconnectedAt = null);

/// <summary>A new store of an organisation; the id is made from the name when not given.</summary>
public sealed record StoreCreateRequest(string? StoreId, string? Name, string? Channel, string? ShopDomain, string? Currency, string? TimeZone, string? WebhookSecret);

/// <summary>What an Admin changes about a store; a null field is left as it is.</summary>
public sealed record StoreUpdateRequest(string? Name, string? TimeZone, string? Currency);

/// <summary>Stores: the caller's list, creating a store under an organisation and changing one (live tiles: src/Web/Dashboards/LiveTilesApi).</summary>
internal static class StoresApi
{
    public static RouteGroupBuilder MapStoresApi(this RouteGroupBuilder group)
    {
        group.MapGet("/", ListAsync).WithName("ListStores").RequireOrgRole(OrgRole.Viewer);
        return group;
    }

    /// <summary>POST /api/tenants/{tenantId}/stores (Admin), within the plan's store limit.</summary>
    public static RouteGroupBuilder MapStoreCreation(this RouteGroupBuilder api)
    {
        api.MapPost("/tenants/{tenantId}/stores", CreateAsync).WithName("CreateStore").RequireOrgRole(OrgRole.Admin);
        return api;
    }

    /// <summary>PATCH /api/tenants/{tenantId}/stores/{storeId} (Admin): rename, change time zone or currency; audited like every change.</summary>
    public static RouteGroupBuilder MapStoreManagement(this RouteGroupBuilder api)
    {
        api.MapPatch("/tenants/{tenantId}/stores/{storeId}", UpdateAsync).WithName("UpdateStore").RequireOrgRole(OrgRole.Admin);
        api.MapDelete("/tenants/{tenantId}/stores/{storeId}", DeleteAsync).WithName("DeleteStore").RequireOrgRole(OrgRole.Admin);
        return api;
    }

    /// <summary>POST …/disconnect and …/reconnect (Admin), on the store-scoped group, which has resolved the store (or answered 404).</summary>
    public static RouteGroupBuilder MapStoreConnection(this RouteGroupBuilder store)
    {
        store.MapPost("/disconnect", DisconnectAsync).WithName("DisconnectStore").RequireOrgRole(OrgRole.Admin);
        store.MapPost("/reconnect", ReconnectAsync).WithName("ReconnectStore").RequireOrgRole(OrgRole.Admin);
        return store;
    }

    /// <summary>
    /// What a change means for history, and so what is allowed. History keeps every figure by its UTC minute, so a
    /// new time zone re-buckets the past into the new zone's days and hours (totals stay; which day a late-evening
    /// order falls on can move). Amounts are kept as recorded, without their currency converted, so the currency may
    /// change only while the store has recorded nothing: afterwards old amounts would read in the new currency.
    /// </summary>
    private static async Task<Results<Ok<StoreSummary>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        string tenantId, string storeId, StoreUpdateRequest? request, IStoreDirectory stores, Engine.History.IHistoryStore history, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (await stores.GetAsync(new StoreRef(tenantId, storeId), cancellationToken) is not { } store)
        {
            return StoreScope.UnknownStore(tenantId, storeId);
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var name = request?.Name?.Trim() ?? store.Name;
        if (name.Length is 0 or > 100)
        {
            errors["name"] = ["Name the store (1 to 100 characters)."];
        }

        var zone = request?.TimeZone?.Trim() ?? store.TimeZone;
        if (!OrganisationRules.IsIanaTimeZone(zone))
        {
            errors["timeZone"] = [$"'{zone}' is not an IANA time zone such as Europe/London."];
        }

        var currency = (request?.Currency?.Trim() ?? store.Currency).ToUpperInvariant();
        if (!OrganisationRules.IsCurrency(currency))
        {
            errors["currency"] = [$"'{request?.Currency}' is not an ISO 4217 currency code such as GBP, EUR or USD."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The store is not valid");
        }

        if (currency != store.Currency && await HasHistoryAsync(history, store, time.GetUtcNow(), cancellationToken))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Currency cannot change",
                detail: $"{store.Name} has recorded figures in {store.Currency}; they are kept as recorded, not converted, so they would read as {currency}. "
                    + "Connect the shop as a new store to report in another currency.");
        }

        var changed = store with { Name = name, TimeZone = zone, Currency = currency };
        await stores.UpsertAsync(changed, cancellationToken);
        return TypedResults.Ok(Summarise(changed));
    }

    private static async Task<bool> HasHistoryAsync(Engine.History.IHistoryStore history, StoreProfile store, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Everything from 2000 (before any store sold online through us) to tomorrow, as one slot.
        var range = new Engine.History.HistoryRange(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero), now.AddDays(1));
        var slots = await history.SlotsAsync(Engine.History.HistoryScope.Store(store.Store.TenantId, store.Store.StoreId), range, range.Length, cancellationToken);
        return slots.Any(s => s.Totals.Orders > 0 || s.Totals.GrossRevenue != 0m || s.Totals.Refunds != 0m);
    }

    internal static StoreSummary Summarise(StoreProfile s) =>
        new(s.Store.TenantId, s.Store.StoreId, s.Name, s.Channel.ToString(), s.Currency, s.TimeZone, s.DisconnectedAt);

    /// <summary>POST …/disconnect: no more data is taken (webhooks 410, pollers stop, the Shopify app token goes); history and figures stay.</summary>
    private static async Task<Ok<StoreSummary>> DisconnectAsync(CurrentStore current, HttpContext http, StoreLifecycle lifecycle, CancellationToken cancellationToken)
    {
        var disconnected = await lifecycle.DisconnectAsync(current.Profile, cancellationToken);
        http.Note($"disconnected {current.Profile.Name}; history kept");
        return TypedResults.Ok(Summarise(disconnected));
    }

    /// <summary>POST …/reconnect: takes data again under a new webhook secret, shown this once.</summary>
    private static async Task<Ok<ReconnectedStore>> ReconnectAsync(
        CurrentStore current, HttpContext http, StoreLifecycle lifecycle, WebhookSecrets secrets, CancellationToken cancellationToken)
    {
        var store = current.Profile;
        var reconnected = await lifecycle.ReconnectAsync(store, secrets.IsConfigured(store.Store), cancellationToken);
        http.Note($"reconnected {store.Name}" + (reconnected.WebhookSecret is null ? "; secret from configuration" : " with a new webhook secret"));
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(reconnected);
    }

    /// <summary>
    /// DELETE …/stores/{storeId} with {"name": "…"}: the store's exact name, as the person typed it, or nothing is
    /// deleted (400 when missing, 409 when it is not the name). A deletion interrupted after the store was removed is
    /// finished by the same request (the name is checked against the one it had).
    /// </summary>
    private static async Task<Results<Ok<StoreDeletion>, ValidationProblem, ProblemHttpResult>> DeleteAsync(
        string tenantId, string storeId, [Microsoft.AspNetCore.Mvc.FromBody] StoreDeleteRequest? request, HttpContext http, ClaimsPrincipal user,
        IStoreDirectory stores, StoreLifecycle lifecycle, WebhookSecrets secrets, CancellationToken cancellationToken)
    {
        var storeRef = new StoreRef(tenantId, storeId);
        var store = await stores.GetAsync(storeRef, cancellationToken);
        var tombstone = store is null ? await lifecycle.FindDeletedAsync(storeRef, cancellationToken) : null;
        if (store is null && tombstone is not { DataDeletedAt: null })
        {
            return StoreScope.UnknownStore(tenantId, storeId);
        }

        var name = store?.Name ?? tombstone!.Name;
        if (string.IsNullOrWhiteSpace(request?.Name))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = [$"Type the store's name ({name}) to delete it with all its data."] },
                title: "Confirm the deletion");
        }

        if (!string.Equals(request.Name.Trim(), name, StringComparison.Ordinal))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Name does not match",
                detail: $"'{request.Name.Trim()}' is not the store's name; type {name} exactly to delete it. Nothing was deleted.");
        }

        if (store is not null && secrets.IsConfigured(storeRef))
        {
            // Deleting it here would last until the next start, when the Stores configuration creates it again.
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Store set in configuration",
                detail: $"'{storeId}' comes from the Stores configuration; remove it there first. Nothing was deleted.");
        }

        try
        {
            var by = user.FindFirstValue(ClaimTypes.Email) ?? user.FindFirstValue(ClaimTypes.NameIdentifier);
            var deletion = store is not null
                ? await lifecycle.DeleteAsync(store, by, cancellationToken)
                : await lifecycle.FinishAsync(storeRef, 0, finishedBy: null, cancellationToken);
            http.Note($"deleted {name} with its data: {deletion.AppRows} app rows, {deletion.JournalRows} journal rows, history");
            return TypedResults.Ok(deletion);
        }
        catch (Exception e) when (e is AskTimeoutException or TimeoutException)
        {
            // The store is gone from the app already; its journal or history is not yet. The same request finishes it.
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Deletion not finished",
                detail: $"{name} is deleted, but its recorded data is still being removed ({e.Message}). Send the same request again to finish.");
        }
    }

    /// <summary>Only the stores of organisations the caller belongs to (an API key: its own organisation's).</summary>
    private static async Task<Ok<IReadOnlyList<StoreSummary>>> ListAsync(
        ClaimsPrincipal user, OrgAccess access, IStoreDirectory stores, CancellationToken cancellationToken)
    {
        var mine = (await access.OrganisationsOfAsync(user, cancellationToken)).Select(o => o.Organisation.Id).ToHashSet(StringComparer.Ordinal);
        var all = new List<StoreProfile>();
        foreach (var organisation in mine)
        {
            all.AddRange(await stores.ListAsync(organisation, cancellationToken));
        }

        IReadOnlyList<StoreSummary> summaries = all
            .OrderBy(s => s.Store.TenantId, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal)
            .Select(Summarise)
            .ToList();
        return TypedResults.Ok(summaries);
    }

    private static async Task<Results<Created<StoreSummary>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        string tenantId, StoreCreateRequest request, IStoreDirectory stores, IPlanService plans, PlanUsage usage, Alerts.DefaultAlertRules defaultAlerts, StoreLifecycle lifecycle,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100)
        {
            errors["name"] = ["Name the store (1 to 100 characters)."];
        }

        var storeId = string.IsNullOrWhiteSpace(request.StoreId) ? OrganisationRules.Slug(name ?? string.Empty) : request.StoreId.Trim();
        if (OrganisationRules.Slug(storeId) != storeId)
        {
            errors["storeId"] = ["A store id has lower-case letters, digits and single dashes, e.g. uk-shop."];
        }

        var channel = SalesChannel.Shopify;
        if (request.Channel is not null && !Enum.TryParse(request.Channel, ignoreCase: true, out channel))
        {
            errors["channel"] = [$"Channel must be one of {string.Join(", ", Enum.GetNames<SalesChannel>())}."];
        }

        if (string.IsNullOrWhiteSpace(request.ShopDomain))
        {
            errors["shopDomain"] = ["Give the shop's domain, e.g. my-shop.myshopify.com."];
        }
        else if (string.Equals(request.Channel?.Trim(), nameof(SalesChannel.Shopify), StringComparison.OrdinalIgnoreCase)
            && !ShopifyShopDomain.TryNormalise(request.ShopDomain, out _))
        {
            // The Shopify backfill calls https://{shopDomain}: only a real shop name, never an arbitrary host.
            errors["shopDomain"] = [ShopifyShopDomain.Rule(request.ShopDomain)];
        }

        if (!OrganisationRules.IsCurrency(request.Currency))
        {
            errors["currency"] = [$"'{request.Currency}' is not an ISO 4217 currency code such as GBP, EUR or USD."];
        }

        if (!OrganisationRules.IsIanaTimeZone(request.TimeZone))
        {
            errors["timeZone"] = [$"'{request.TimeZone}' is not an IANA time zone such as Europe/London."];
        }

        if (request.WebhookSecret is null || request.WebhookSecret.Length < 8)
        {
            errors["webhookSecret"] = ["Give the webhook signing secret (at least 8 characters) so deliveries can be verified."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The store is not valid");
        }

        if (await lifecycle.FindDeletedAsync(new StoreRef(tenantId, storeId), cancellationToken) is { } deleted)
        {
            // A deleted store's id is never reused: links and scripts naming it must find nothing, not another store.
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Store id was used",
                detail: $"'{storeId}' belonged to a store deleted on {StoredTime.To(deleted.DeletedAt):yyyy-MM-dd}; choose another id.");
        }

        var existing = await stores.ListAsync(tenantId, cancellationToken);
        if (existing.Any(s => s.Store.StoreId == storeId))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Store exists",
                detail: $"'{tenantId}' already has a store '{storeId}'; choose another id.");
        }

        // A store is a shop on a selling platform: a new one is a new sales channel for the plan.
        if (PlanLimitProblems.CountLimit(await plans.GetLimitsAsync(tenantId, cancellationToken), "sales channels",
                await usage.SalesChannelsAsync(tenantId, cancellationToken), l => l.MaxSalesChannels) is { } refused)
        {
            return refused;
        }

        var domain = request.ShopDomain!.Trim().ToLowerInvariant();
        if (await stores.FindByShopDomainAsync(channel, domain, cancellationToken) is not null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Shop already connected",
                detail: $"{domain} is already connected to a store.");
        }

        var profile = new StoreProfile(new StoreRef(tenantId, storeId), name!, channel, domain, request.Currency!.ToUpperInvariant(), request.TimeZone!,
            request.WebhookSecret!);
        await stores.UpsertAsync(profile, cancellationToken);
        // Alerts work from the first order: no orders in trading hours, and anomalies on orders where the plan has them.
        await defaultAlerts.CreateForAsync(profile.Store, cancellationToken);
        return TypedResults.Created($"/api/tenants/{tenantId}/stores/{storeId}/tiles", Summarise(profile));
    }
}
