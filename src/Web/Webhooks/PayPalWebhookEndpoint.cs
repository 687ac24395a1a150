using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using SalesDash.Connectors.PayPal;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Stores;
using SalesDash.Web.Channels;
using SalesDash.Web.Channels.Webhooks;

namespace SalesDash.Web.Webhooks;

/// <summary>
/// Receives PayPal webhooks at /webhooks/paypal/{tenantId}/{storeId}. With the REST app's client id and secret on the
/// connection, PayPal verifies each delivery (verify-webhook-signature); without them it is verified offline against
/// PayPal's certificate (fetched from a paypal.com host only). Both check the connection's webhook id and the
/// transmission time. When PayPal cannot be asked now the answer is 503, so PayPal delivers again later.
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
        ChannelEventPublisher publisher, ChannelSyncRunner runner, PayPalWebhookVerifier verifier, PayPalOnlineVerifier online, TimeProvider time,
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
        var credentials = target.Connection.Credentials;
        if (credentials.TryGetValue("clientId", out var clientId) && credentials.TryGetValue("clientSecret", out var clientSecret))
        {
            var api = target.Connection.Settings.TryGetValue("environment", out var environment) && environment == "sandbox"
                ? options.Value.Endpoints.PayPalSandbox
                : options.Value.Endpoints.PayPal;
            var verdict = await online.VerifyAsync(transmission, body, webhookId, new PayPalApiCredentials(api, clientId, clientSecret), time.GetUtcNow(),
                cancellationToken, options.Value.WebhookTolerance);
            switch (verdict.Outcome)
            {
                case PayPalVerificationOutcome.Invalid:
                    log.LogWarning("PayPal refused a webhook for {Store}: {Problem}", target.Store.Store, verdict.Problem);
                    return ChannelWebhook.Unauthorized(verdict.Problem!);
                case PayPalVerificationOutcome.Unavailable:
                    log.LogWarning("A PayPal webhook for {Store} could not be verified now: {Problem}", target.Store.Store, verdict.Problem);
                    await runner.RecordWebhookAsync(target.Store.Store, SalesChannel.PayPal, 0, "Verification unavailable: " + verdict.Problem, cancellationToken);
                    if (verdict.RetryAfter is { } wait)
                    {
                        request.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }

                    return ChannelWebhook.Problem(StatusCodes.Status503ServiceUnavailable, "Verification unavailable",
                        "PayPal could not verify the delivery now; PayPal delivers it again later. " + verdict.Problem);
            }
        }
        else
        {
            var check = await verifier.VerifyAsync(transmission, body, webhookId, time.GetUtcNow(), cancellationToken, options.Value.WebhookTolerance);
            if (!check.IsValid)
            {
                log.LogWarning("Rejected a PayPal webhook for {Store}: {Problem}", target.Store.Store, check.Problem);
                return ChannelWebhook.Unauthorized(check.Problem!);
            }
        }

        return await ChannelWebhook.IngestAsync(PayPalEventNormalizer.Normalize(body, target.Store), target, publisher, runner, log, cancellationToken);
    }
}
