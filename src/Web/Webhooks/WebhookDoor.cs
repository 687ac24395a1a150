using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.Currency;
using SalesDash.Connectors.Shopify;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Quarantine;
using SalesDash.Engine.Stores;
using SalesDash.Web.Channels;
using SalesDash.Web.Stores;

namespace SalesDash.Web.Webhooks;

/// <summary>The answer to an accepted delivery: whether it added anything or was a repeat.</summary>
public sealed record WebhookReceipt(string Outcome, int Events);

/// <summary>
/// The one webhook endpoint: every channel's deliveries take the same steps, in an order chosen so that junk costs
/// little and nothing unverified is stored. Unknown store or channel is 404 before any body work, a bad signature 401
/// before parsing, and 200 is sent only after every event of the delivery is durable, so the channel retries anything
/// we lost. The channel's module (in Connectors) verifies and normalises; the ingestion pipeline does the rest.
/// </summary>
public sealed class WebhookDoor(
    IEnumerable<IWebhookModule> modules,
    StoreDirectoryCache stores,
    IChannelConnectionStore connections,
    WebhookSecrets secrets,
    IngestionPipeline pipeline,
    ChannelSyncRunner runner,
    TimeProvider time,
    ILogger<WebhookDoor> log)
{
    private readonly Dictionary<string, IWebhookModule> _modules = modules.ToDictionary(m => m.Path, StringComparer.OrdinalIgnoreCase);
    private readonly ShopifyWebhookModule _shopify = modules.OfType<ShopifyWebhookModule>().Single();

    /// <summary>A channel addressed by URL (/webhooks/{channel}/{tenantId}/{storeId}), verified with its connection's credentials.</summary>
    public async Task<Results<Ok<WebhookReceipt>, ProblemHttpResult>> ReceiveAsync(
        string path, string tenantId, string storeId, HttpContext http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!_modules.TryGetValue(path, out var module) || module == _shopify)
        {
            return Problem(StatusCodes.Status404NotFound, "Unknown channel", $"SalesDash takes no webhooks at /webhooks/{path}/….");
        }

        var store = new StoreRef(tenantId, storeId);
        var profile = await stores.GetForWebhookAsync(store, cancellationToken);
        if (profile is null)
        {
            return Problem(StatusCodes.Status404NotFound, "Unknown store", StoreScope.UnknownStoreDetail(tenantId, storeId));
        }

        if (profile.DisconnectedAt is not null)
        {
            return Disconnected(profile);
        }

        var connection = await connections.GetAsync(store, module.Channel, cancellationToken);
        if (connection is not { Enabled: true })
        {
            return Problem(StatusCodes.Status404NotFound, "Channel not connected", $"{module.Channel} is not connected (or is disabled) for {store}.");
        }

        if (await WebhookBody.ReadAsync(http, cancellationToken) is not { } body)
        {
            return TooLarge();
        }

        var delivery = new WebhookDelivery(body, new Headers(http.Request.Headers), time.GetUtcNow());
        var verdict = await module.VerifyAsync(delivery, new ConnectionValues(connection.Settings, connection.Credentials), cancellationToken);
        switch (verdict)
        {
            case WebhookVerdict.Refused refused:
                log.LogWarning("Rejected a {Channel} webhook for {Store}: {Problem}", module.Channel, store, refused.Problem);
                return Problem(StatusCodes.Status401Unauthorized, "Invalid signature", refused.Problem);
            case WebhookVerdict.Unavailable unavailable:
                log.LogWarning("A {Channel} webhook for {Store} could not be verified now: {Problem}", module.Channel, store, unavailable.Problem);
                await runner.RecordWebhookAsync(store, module.Channel, 0, "Verification unavailable: " + unavailable.Problem, cancellationToken);
                if (unavailable.RetryAfter is { } wait)
                {
                    http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                return Problem(StatusCodes.Status503ServiceUnavailable, "Verification unavailable",
                    $"{module.Channel} could not verify the delivery now; it is delivered again later. " + unavailable.Problem);
        }

        return await IngestAsync(module.Normalize(delivery, profile), profile, module.Channel, recordStatus: true, cancellationToken);
    }

    /// <summary>
    /// Shopify, addressed by its shop-domain header at /webhooks/shopify and signed with the store's own secret (or, during
    /// a rotation's grace period, the one it replaced).
    /// </summary>
    public async Task<Results<Ok<WebhookReceipt>, ProblemHttpResult>> ReceiveShopifyAsync(HttpContext http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var headers = new Headers(http.Request.Headers);
        var shopDomain = ShopifyWebhookModule.ShopDomain(headers);
        if (shopDomain.Length == 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "Missing shop domain", $"The {ShopifyHeaders.ShopDomain} header is required.");
        }

        var profile = await stores.FindForWebhookAsync(SalesChannel.Shopify, shopDomain, cancellationToken);
        if (profile is null)
        {
            return Problem(StatusCodes.Status404NotFound, "Unknown store", $"No Shopify store is connected for '{shopDomain}'.");
        }

        if (profile.DisconnectedAt is not null)
        {
            return Disconnected(profile);
        }

        if (await WebhookBody.ReadAsync(http, cancellationToken) is not { } body)
        {
            return TooLarge();
        }

        var delivery = new WebhookDelivery(body, headers, time.GetUtcNow());
        if (await _shopify.VerifyAsync(delivery, new WebhookSecretCredentials(profile.WebhookSecret), cancellationToken) is not WebhookVerdict.Verified)
        {
            // The cached secret may be one another node has rotated since: ask the database before refusing, so a
            // rotation never turns away a correctly signed delivery. The replaced secret is honoured while its grace lasts.
            profile = await stores.RefreshAsync(profile.Store, cancellationToken);
            if (profile is null)
            {
                return Problem(StatusCodes.Status404NotFound, "Unknown store", $"No Shopify store is connected for '{shopDomain}'.");
            }

            if (!await secrets.VerifiesShopifyAsync(profile, body, headers[ShopifyHeaders.HmacSha256], cancellationToken))
            {
                log.LogWarning("Rejected a Shopify webhook for {Store}: bad signature", profile.Store);
                return Problem(StatusCodes.Status401Unauthorized, "Invalid signature", $"The {ShopifyHeaders.HmacSha256} header does not match the body.");
            }
        }

        // A Shopify store is not a channel connection: there is no sync status to record.
        return await IngestAsync(_shopify.Normalize(delivery, profile), profile, SalesChannel.Shopify, recordStatus: false, cancellationToken);
    }

    /// <summary>Ingests what the module made of a verified delivery through the one door and answers the channel.</summary>
    private async Task<Results<Ok<WebhookReceipt>, ProblemHttpResult>> IngestAsync(
        NormalizeResult normalized, StoreProfile profile, SalesChannel channel, bool recordStatus, CancellationToken cancellationToken)
    {
        var store = profile.Store;
        switch (normalized)
        {
            case NormalizeResult.Invalid invalid:
                await RecordAsync(recordStatus, store, channel, 0, "Malformed webhook: " + invalid.Detail, cancellationToken);
                return Problem(StatusCodes.Status400BadRequest, "Malformed webhook", invalid.Detail);
            case NormalizeResult.Ignored ignored:
                return TypedResults.Ok(new WebhookReceipt("ignored: " + ignored.Reason, 0));
        }

        var events = ((NormalizeResult.Ok)normalized).Events;
        int accepted;
        try
        {
            accepted = await pipeline.IngestAsync(profile, events, cancellationToken);
        }
        catch (MissingExchangeRateException e)
        {
            // Not the sender's fault and not permanent: once the rate is added, the channel's retry goes through.
            await RecordAsync(recordStatus, store, channel, 0, e.Message, cancellationToken);
            return Problem(StatusCodes.Status422UnprocessableEntity, "No exchange rate", e.Message);
        }
        catch (InvalidCommerceEventException e)
        {
            // Earlier events of the same delivery may be stored; a corrected retry is deduplicated against them.
            await RecordAsync(recordStatus, store, channel, 0, e.Message, cancellationToken);
            return Unusable(e);
        }
        catch (StoreDeletedException)
        {
            // The store was deleted after this node looked it up (its cache had not heard yet): its entity refused the
            // events, so nothing was stored, and the delivery is answered as one for a store that does not exist.
            return Problem(StatusCodes.Status404NotFound, "Unknown store", StoreScope.UnknownStoreDetail(store.TenantId, store.StoreId));
        }
        catch (Exception e) when (e is TimeoutException or Akka.Actor.AskTimeoutException or IngestUnavailableException
            or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Not durable in time: 503 makes the channel retry, and the entity's dedupe makes the retry harmless.
            log.LogWarning(e, "Ingest of a {Channel} webhook for {Store} timed out", channel, store);
            return Problem(StatusCodes.Status503ServiceUnavailable, "Not stored yet", "The event could not be made durable in time; retry the delivery.");
        }

        await RecordAsync(recordStatus, store, channel, accepted, null, cancellationToken);
        return TypedResults.Ok(new WebhookReceipt(accepted > 0 || events.Count == 0 ? "accepted" : "duplicate", accepted));
    }

    private Task RecordAsync(bool recordStatus, StoreRef store, SalesChannel channel, int accepted, string? error, CancellationToken cancellationToken) =>
        recordStatus ? runner.RecordWebhookAsync(store, channel, accepted, error, cancellationToken) : Task.CompletedTask;

    /// <summary>The guard's refusal: 400 naming the event's field (also as the "field" member, for programs).</summary>
    private static ProblemHttpResult Unusable(InvalidCommerceEventException refusal) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unusable event", detail: refusal.Message,
            extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["field"] = refusal.Field });

    private static ProblemHttpResult TooLarge() =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"Webhook bodies are limited to {WebhookBody.MaxBytes} bytes.");

    /// <summary>
    /// 410 Gone for a disconnected store, before any body work. Shopify treats every non-2xx alike (8 retries over 4
    /// hours, then it removes a subscription made through the Admin API), so 401 would not be retried less; 410 says
    /// what is true, and WooCommerce disables a webhook that answers 410 at once. Nothing is stored: the store keeps
    /// its history, and deliveries resume when it is reconnected with a new secret.
    /// </summary>
    private static ProblemHttpResult Disconnected(StoreProfile profile) =>
        Problem(StatusCodes.Status410Gone, "Store disconnected",
            $"{profile.Name} ({profile.Store.StoreId}) was disconnected from SalesDash on {profile.DisconnectedAt:yyyy-MM-dd HH:mm} UTC and takes no more data; "
            + "an Admin can reconnect it in Settings → Stores, which issues a new webhook secret.");

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    /// <summary>The request's headers as a connector reads them: one value, "" when absent.</summary>
    private sealed class Headers(IHeaderDictionary headers) : IWebhookHeaders
    {
        public string this[string name] => headers[name].ToString();
    }
}

/// <summary>Maps the one webhook endpoint, keeping every URL merchants have pasted into their platforms.</summary>
internal static class WebhookEndpoint
{
    public static RouteGroupBuilder MapWebhooks(this RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        group.MapPost("/shopify", (HttpContext http, WebhookDoor door, CancellationToken cancellationToken) => door.ReceiveShopifyAsync(http, cancellationToken))
            .WithName("ShopifyWebhook");
        group.MapPost("/{channel}/{tenantId}/{storeId}",
                (string channel, string tenantId, string storeId, HttpContext http, WebhookDoor door, CancellationToken cancellationToken) =>
                    door.ReceiveAsync(channel, tenantId, storeId, http, cancellationToken))
            .WithName("ChannelWebhook");
        // EasyPost's URL has two segments before the store; it was published that way.
        group.MapPost("/shipping/easypost/{tenantId}/{storeId}",
                (string tenantId, string storeId, HttpContext http, WebhookDoor door, CancellationToken cancellationToken) =>
                    door.ReceiveAsync("shipping/easypost", tenantId, storeId, http, cancellationToken))
            .WithName("EasyPostWebhook");

        // Signed by the platform, not signed in: the sign-in, authorisation and rate-limit middleware after routing has
        // nothing to do for a webhook, so the endpoint runs as soon as it is matched (the admission filter still runs).
        group.DisableAntiforgery().ShortCircuit();
        return group;
    }
}
