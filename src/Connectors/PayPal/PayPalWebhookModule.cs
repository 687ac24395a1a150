using SalesDash.Connectors.Common;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.PayPal;

/// <summary>A PayPal connection: its webhook id, and the REST app's credentials when PayPal is to verify each delivery.</summary>
/// <param name="Sandbox">The "environment" setting is "sandbox" (live otherwise).</param>
public sealed record PayPalConnection(string WebhookId, bool Sandbox, string? ClientId, string? ClientSecret)
{
    public bool VerifiesOnline => ClientId is not null && ClientSecret is not null;
}

/// <summary>Which PayPal PayPal's verification is asked of.</summary>
public enum PayPalEnvironment
{
    Live,
    Sandbox,
}

/// <summary>What a PayPal connection is set with: the webhook id (every delivery names it) and the environment (live by default).</summary>
public sealed record PayPalConnectionSettings(string WebhookId, PayPalEnvironment? Environment);

/// <summary>The REST app's client id and secret, both or neither: with them PayPal verifies each delivery online.</summary>
public sealed record PayPalConnectionCredentials(string? ClientId, string? ClientSecret);

/// <summary>
/// PayPal webhooks at /webhooks/paypal/{tenantId}/{storeId}. With the REST app's client id and secret, PayPal verifies each
/// delivery (verify-webhook-signature); without them it is verified offline against PayPal's certificate (fetched from a
/// paypal.com host only). Both check the webhook id and the transmission time. When PayPal cannot be asked now the verdict is
/// <see cref="WebhookVerdict.Unavailable"/>, so PayPal delivers again later.
/// </summary>
public sealed class PayPalWebhookModule(PayPalWebhookVerifier offline, PayPalOnlineVerifier online, Uri liveApi, Uri sandboxApi, TimeSpan tolerance)
    : WebhookModule<PayPalConnection>
{
    public static ChannelDescriptor Descriptor { get; } = ChannelDescriptor.Of<PayPalConnectionSettings, PayPalConnectionCredentials>(
        SalesChannel.PayPal, ChannelKind.Webhook, "/webhooks/paypal/{tenantId}/{storeId}",
        "PayPal webhooks (PAYMENT.CAPTURE.COMPLETED, PAYMENT.CAPTURE.REFUNDED). With the REST app's client id and secret they are verified "
        + "by PayPal (verify-webhook-signature); without, offline with PayPal's certificate and the webhook id. environment is live (default) or sandbox.") with
    {
        Rules = BothOrNeither,
    };

    public override SalesChannel Channel => SalesChannel.PayPal;

    private static IEnumerable<FieldProblem> BothOrNeither(ConnectionValues values)
    {
        var (id, secret) = (ConnectionForm.Name(nameof(PayPalConnectionCredentials.ClientId)), ConnectionForm.Name(nameof(PayPalConnectionCredentials.ClientSecret)));
        if ((values.Credential(id) is null) != (values.Credential(secret) is null))
        {
            yield return new FieldProblem("credentials." + (values.Credential(id) is null ? id : secret),
                "Online verification needs both the REST app's client id and secret (or neither, for offline verification).");
        }
    }

    public override string Path => "paypal";

    public override PayPalConnection Bind(ConnectionValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new(values.Setting("webhookId") ?? string.Empty, values.Setting("environment") == "sandbox",
            values.Credential("clientId"), values.Credential("clientSecret"));
    }

    public override async ValueTask<WebhookVerdict> VerifyAsync(WebhookDelivery delivery, PayPalConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(connection);
        var headers = delivery.Headers;
        var transmission = new PayPalTransmission(
            headers[PayPalTransmission.TransmissionIdHeader],
            headers[PayPalTransmission.TransmissionTimeHeader],
            headers[PayPalTransmission.TransmissionSigHeader],
            headers[PayPalTransmission.CertUrlHeader],
            headers[PayPalTransmission.AuthAlgoHeader]);
        if (!connection.VerifiesOnline)
        {
            return WebhookVerdict.From(await offline.VerifyAsync(transmission, delivery.Body, connection.WebhookId, delivery.ReceivedAt, cancellationToken, tolerance));
        }

        var credentials = new PayPalApiCredentials(connection.Sandbox ? sandboxApi : liveApi, connection.ClientId!, connection.ClientSecret!);
        var verdict = await online.VerifyAsync(transmission, delivery.Body, connection.WebhookId, credentials, delivery.ReceivedAt, cancellationToken, tolerance);
        return verdict.Outcome switch
        {
            PayPalVerificationOutcome.Valid => WebhookVerdict.Valid,
            PayPalVerificationOutcome.Unavailable => new WebhookVerdict.Unavailable(verdict.Problem ?? "PayPal did not answer.", verdict.RetryAfter),
            _ => new WebhookVerdict.Refused(verdict.Problem ?? "PayPal refused the signature."),
        };
    }

    public override NormalizeResult Normalize(WebhookDelivery delivery, StoreProfile store)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return PayPalEventNormalizer.Normalize(delivery.Body, store);
    }
}
