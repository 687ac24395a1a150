using System.Buffers;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Connectors.Shopify;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Stores;

namespace SalesDash.Web.Webhooks;

/// <summary>The answer to an accepted delivery: whether it added anything or was a repeat.</summary>
public sealed record WebhookReceipt(string Outcome, int Events);

/// <summary>
/// Receives Shopify webhooks. The order of checks is deliberate: an unknown shop is 404 before any
/// body work, a bad signature is 401 before parsing (so unsigned junk costs nothing and stores nothing),
/// and 200 is sent only after every event of the delivery is durable, so Shopify retries anything we lost.
/// </summary>
internal static class ShopifyWebhookEndpoint
{
    /// <summary>Shopify order payloads are tens of kilobytes; 2 MiB leaves room for huge orders and stops abuse.</summary>
    private const int MaxBodyBytes = 2 * 1024 * 1024;

    public static RouteGroupBuilder MapShopifyWebhooks(this RouteGroupBuilder group)
    {
        group.MapPost("/shopify", HandleAsync)
            .WithName("ShopifyWebhook")
            .DisableAntiforgery();
        return group;
    }

    internal static async Task<Results<Ok<WebhookReceipt>, ProblemHttpResult>> HandleAsync(
        HttpRequest request,
        IStoreDirectory stores,
        ICommerceEventIngest ingest,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var log = loggers.CreateLogger("SalesDash.Web.Webhooks.Shopify");
        var shopDomain = request.Headers[ShopifyHeaders.ShopDomain].ToString().Trim().ToLowerInvariant();
        var topic = request.Headers[ShopifyHeaders.Topic].ToString().Trim();
        var webhookId = request.Headers[ShopifyHeaders.WebhookId].ToString().Trim();

        if (shopDomain.Length == 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "Missing shop domain", $"The {ShopifyHeaders.ShopDomain} header is required.");
        }

        var store = await stores.FindByShopDomainAsync(SalesChannel.Shopify, shopDomain, cancellationToken);
        if (store is null)
        {
            return Problem(StatusCodes.Status404NotFound, "Unknown store", $"No Shopify store is connected for '{shopDomain}'.");
        }

        var body = await ReadBodyAsync(request, cancellationToken);
        if (body is null)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"Webhook bodies are limited to {MaxBodyBytes} bytes.");
        }

        if (!ShopifyWebhookSignature.IsValid(body, request.Headers[ShopifyHeaders.HmacSha256].ToString(), store.WebhookSecret))
        {
            log.LogWarning("Rejected a Shopify webhook for {Store}: bad signature", store.Store);
            return Problem(StatusCodes.Status401Unauthorized, "Invalid signature", $"The {ShopifyHeaders.HmacSha256} header does not match the body.");
        }

        if (topic.Length == 0 || webhookId.Length == 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "Missing header",
                $"The {ShopifyHeaders.Topic} and {ShopifyHeaders.WebhookId} headers are required.");
        }

        var triggeredAt = DateTimeOffset.TryParse(request.Headers[ShopifyHeaders.TriggeredAt].ToString(), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal, out var t) ? t : (DateTimeOffset?)null;

        var normalized = ShopifyWebhookNormalizer.Normalize(topic, body, new ShopifyDelivery(webhookId, triggeredAt), store);
        switch (normalized)
        {
            case ShopifyNormalizeResult.Invalid invalid:
                return Problem(StatusCodes.Status400BadRequest, "Malformed webhook", invalid.Detail);
            case ShopifyNormalizeResult.Ignored ignored:
                return TypedResults.Ok(new WebhookReceipt("ignored: " + ignored.Reason, 0));
        }

        var events = ((ShopifyNormalizeResult.Ok)normalized).Events;
        var accepted = 0;
        try
        {
            foreach (var commerceEvent in events)
            {
                if (await ingest.IngestAsync(commerceEvent, cancellationToken) == IngestOutcome.Accepted)
                {
                    accepted++;
                }
            }
        }
        catch (InvalidCommerceEventException e)
        {
            // Earlier events of the same delivery may be stored; a corrected retry is deduplicated against them.
            return Channels.Webhooks.ChannelWebhook.Unusable(e);
        }
        catch (Exception e) when (e is TimeoutException or Akka.Actor.AskTimeoutException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Not durable in time: 503 makes Shopify retry, and the entity's dedupe makes the retry harmless.
            log.LogWarning(e, "Ingest of a Shopify webhook for {Store} timed out", store.Store);
            return Problem(StatusCodes.Status503ServiceUnavailable, "Not stored yet", "The event could not be made durable in time; retry the delivery.");
        }

        return TypedResults.Ok(new WebhookReceipt(accepted > 0 ? "accepted" : "duplicate", accepted));
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is > 0 and var length ? (int)length : 4096);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.WrittenCount + read > MaxBodyBytes)
                {
                    return null;
                }

                buffer.Write(chunk.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
