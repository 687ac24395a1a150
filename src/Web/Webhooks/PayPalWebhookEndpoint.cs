using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using SalesDash.Connectors.PayPal;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Stores;
using SalesDash.Web.Channels;
using SalesDash.Web.Channels.Webhooks;

namespace SalesDash.Web.Webhooks;

/// <summary>
/// Receives PayPal webhooks at /webhooks/paypal/{tenantId}/{storeId}, verified offline against PayPal's certificate
/// (fetched from a paypal.com host only) and the connection's webhook id.
/// </summary>
internal static class PayPalWebhookEndpoint
{
    public static RouteGroupBuilder Map(RouteGroupBuilder group)
    {
        group.MapPost("/paypal/{tenantId}/{storeId}", HandleAsync).WithName("PayPalWebhook").DisableAntiforgery();
        return group;
    }

    internal static async Task<Results<Ok<WebhookReceipt>, ProblemHttpResult>> HandleAsync(
        string tenantId, string storeId, HttpRequest request, IStoreDirectory stores, IChannelConnectionStore connections,
        ChannelEventPublisher publisher, ChannelSyncRunner runner, PayPalWebhookVerifier verifier, TimeProvider time,
        IOptions<ChannelsOptions> options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var log = loggers.CreateLogger("SalesDash.Web.Webhooks.PayPal");
        var (target, problem) = await ChannelWebhook.FindAsync(tenantId, storeId, SalesChannel.PayPal, stores, connections, cancellationToken);
        if (target is null)
        {
            return problem!;
        }

        var body = await ChannelWebhook.ReadBodyAsync(request, cancellationToken);
        if (body is null)
        {
            return ChannelWebhook.TooLarge();
        }

        var headers = request.Headers;
        var transmission = new PayPalTransmission(
            headers[PayPalTransmission.TransmissionIdHeader].ToString(),
            headers[PayPalTransmission.TransmissionTimeHeader].ToString(),
            headers[PayPalTransmission.TransmissionSigHeader].ToString(),
            headers[PayPalTransmission.CertUrlHeader].ToString(),
            headers[PayPalTransmission.AuthAlgoHeader].ToString());
        var webhookId = target.Connection.Settings.TryGetValue("webhookId", out var id) ? id : string.Empty;
        var check = await verifier.VerifyAsync(transmission, body, webhookId, time.GetUtcNow(), cancellationToken, options.Value.WebhookTolerance);
        if (!check.IsValid)
        {
            log.LogWarning("Rejected a PayPal webhook for {Store}: {Problem}", target.Store.Store, check.Problem);
            return ChannelWebhook.Unauthorized(check.Problem!);
        }

        return await ChannelWebhook.IngestAsync(PayPalEventNormalizer.Normalize(body, target.Store), target, publisher, runner, log, cancellationToken);
    }
}
