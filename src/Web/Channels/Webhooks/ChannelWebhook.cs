using System.Buffers;
using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.Currency;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Stores;
using SalesDash.Web.Webhooks;

namespace SalesDash.Web.Channels.Webhooks;

/// <summary>The store and connection a channel webhook is addressed to (by its URL), with the connection's secrets.</summary>
internal sealed record WebhookTarget(StoreProfile Store, ChannelConnection Connection);

/// <summary>
/// The steps every channel webhook shares, in the same order as the Shopify endpoint: unknown store or channel is 404
/// before reading the body, a bad signature 401 before parsing, and 200 only once every event is durable.
/// </summary>
internal static class ChannelWebhook
{
    /// <summary>Channel payloads are tens of kilobytes; 2 MiB leaves room for huge orders and stops abuse.</summary>
    public const int MaxBodyBytes = 2 * 1024 * 1024;

    public static async Task<(WebhookTarget? Target, ProblemHttpResult? Problem)> FindAsync(
        string tenantId, string storeId, SalesChannel channel, IStoreDirectory stores, IChannelConnectionStore connections, CancellationToken cancellationToken)
    {
        var store = new StoreRef(tenantId, storeId);
        var profile = await stores.GetAsync(store, cancellationToken);
        if (profile is null)
        {
            return (null, Problem(StatusCodes.Status404NotFound, "Unknown store", $"There is no store '{storeId}' in '{tenantId}'."));
        }

        var connection = await connections.GetAsync(store, channel, cancellationToken);
        return connection is { Enabled: true }
            ? (new WebhookTarget(profile, connection), null)
            : (null, Problem(StatusCodes.Status404NotFound, "Channel not connected", $"{channel} is not connected (or is disabled) for {store}."));
    }

    public static string Secret(WebhookTarget target, string key) =>
        target.Connection.Credentials.TryGetValue(key, out var secret) ? secret : string.Empty;

    /// <summary>Ingests what the normaliser made of a verified delivery and answers the channel.</summary>
    public static async Task<Results<Ok<WebhookReceipt>, ProblemHttpResult>> IngestAsync(
        NormalizeResult normalized, WebhookTarget target, ChannelEventPublisher publisher, ChannelSyncRunner runner, ILogger log, CancellationToken cancellationToken)
    {
        var channel = target.Connection.Channel;
        var store = target.Store.Store;
        switch (normalized)
        {
            case NormalizeResult.Invalid invalid:
                await runner.RecordWebhookAsync(store, channel, 0, "Malformed webhook: " + invalid.Detail, cancellationToken);
                return Problem(StatusCodes.Status400BadRequest, "Malformed webhook", invalid.Detail);
            case NormalizeResult.Ignored ignored:
                return TypedResults.Ok(new WebhookReceipt("ignored: " + ignored.Reason, 0));
        }

        var events = ((NormalizeResult.Ok)normalized).Events;
        int accepted;
        try
        {
            accepted = await publisher.PublishAsync(target.Store, events, cancellationToken);
        }
        catch (MissingExchangeRateException e)
        {
            // Not the sender's fault and not permanent: once the rate is added, the channel's retry goes through.
            await runner.RecordWebhookAsync(store, channel, 0, e.Message, cancellationToken);
            return Problem(StatusCodes.Status422UnprocessableEntity, "No exchange rate", e.Message);
        }
        catch (InvalidCommerceEventException e)
        {
            await runner.RecordWebhookAsync(store, channel, 0, e.Message, cancellationToken);
            return Unusable(e);
        }
        catch (Exception e) when (e is TimeoutException or Akka.Actor.AskTimeoutException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            log.LogWarning(e, "Ingest of a {Channel} webhook for {Store} timed out", channel, store);
            return Problem(StatusCodes.Status503ServiceUnavailable, "Not stored yet", "The event could not be made durable in time; retry the delivery.");
        }

        await runner.RecordWebhookAsync(store, channel, accepted, null, cancellationToken);
        return TypedResults.Ok(new WebhookReceipt(accepted > 0 || events.Count == 0 ? "accepted" : "duplicate", accepted));
    }

    public static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
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

    public static ProblemHttpResult TooLarge() =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"Webhook bodies are limited to {MaxBodyBytes} bytes.");

    /// <summary>The guard's refusal: 400 naming the event's field (also as the "field" member, for programs).</summary>
    public static ProblemHttpResult Unusable(InvalidCommerceEventException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unusable event", detail: refusal.Message,
            extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["field"] = refusal.Field });
    }

    public static ProblemHttpResult Unauthorized(string detail) => Problem(StatusCodes.Status401Unauthorized, "Invalid signature", detail);

    public static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
