using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.Common;

/// <summary>Reads one header of a delivery ("" when absent); the host supplies it, so connectors never see HTTP types.</summary>
public interface IWebhookHeaders
{
    string this[string name] { get; }
}

/// <summary>One webhook delivery as received: the raw body (signatures cover these exact bytes), its headers, and when it arrived.</summary>
public sealed record WebhookDelivery(ReadOnlyMemory<byte> Body, IWebhookHeaders Headers, DateTimeOffset ReceivedAt);

/// <summary>What a channel's verifier made of a delivery's signature.</summary>
public abstract record WebhookVerdict
{
    private WebhookVerdict()
    {
    }

    public static WebhookVerdict Valid { get; } = new Verified();

    /// <summary>Signed by the channel with the connection's secret.</summary>
    public sealed record Verified : WebhookVerdict;

    /// <summary>Not signed by the channel (or replayed, or the connection lacks its secret): 401, nothing stored.</summary>
    public sealed record Refused(string Problem) : WebhookVerdict;

    /// <summary>Cannot be decided now (the channel's verification service is down): 503, so the channel delivers again.</summary>
    public sealed record Unavailable(string Problem, TimeSpan? RetryAfter) : WebhookVerdict;

    public static WebhookVerdict From(SignatureCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return check.IsValid ? Valid : new Refused(check.Problem ?? "Invalid signature.");
    }
}

/// <summary>
/// A connection's stored settings and credentials as the connection store keeps them. Modules bind them once into
/// their typed connection (<see cref="WebhookModule{TConnection}.Bind"/>); nothing else reads them by key.
/// </summary>
public sealed record ConnectionValues(IReadOnlyDictionary<string, string> Settings, IReadOnlyDictionary<string, string> Credentials)
{
    public string? Setting(string key) => Value(Settings, key);

    public string? Credential(string key) => Value(Credentials, key);

    private static string? Value(IReadOnlyDictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}

/// <summary>
/// A channel that pushes webhooks: where they are posted, how their signature is checked, and how a body becomes
/// events. The host's one webhook endpoint finds the store and connection, reads the body, and then asks the module;
/// what the module returns goes through the ingestion door like every other event.
/// </summary>
public interface IWebhookModule
{
    SalesChannel Channel { get; }

    /// <summary>The URL segment after /webhooks/ (e.g. "stripe" for /webhooks/stripe/{tenantId}/{storeId}).</summary>
    string Path { get; }

    ValueTask<WebhookVerdict> VerifyAsync(WebhookDelivery delivery, ConnectionValues connection, CancellationToken cancellationToken);

    NormalizeResult Normalize(WebhookDelivery delivery, StoreProfile store);
}

/// <summary>A webhook module whose settings and credentials are one typed record, bound in one place.</summary>
public abstract class WebhookModule<TConnection> : IWebhookModule
{
    public abstract SalesChannel Channel { get; }

    public abstract string Path { get; }

    /// <summary>The connection in typed form; a missing value is left empty, and the verifier refuses what it cannot check.</summary>
    public abstract TConnection Bind(ConnectionValues values);

    public ValueTask<WebhookVerdict> VerifyAsync(WebhookDelivery delivery, ConnectionValues connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(connection);
        return VerifyAsync(delivery, Bind(connection), cancellationToken);
    }

    public abstract ValueTask<WebhookVerdict> VerifyAsync(WebhookDelivery delivery, TConnection connection, CancellationToken cancellationToken);

    public abstract NormalizeResult Normalize(WebhookDelivery delivery, StoreProfile store);
}

/// <summary>
/// A webhook module whose deliveries are signed with one shared secret (an HMAC of the body): its connection is that
/// secret, bound here once, and the module only says how its channel's signature is checked.
/// </summary>
public abstract class SecretWebhookModule : WebhookModule<WebhookSecretCredentials>
{
    /// <summary>A missing secret is left empty, so the signature check refuses every delivery rather than the bind throwing.</summary>
    public override WebhookSecretCredentials Bind(ConnectionValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new(values.Credential(ConnectionForm.Name(nameof(WebhookSecretCredentials.WebhookSecret))) ?? string.Empty);
    }

    public override ValueTask<WebhookVerdict> VerifyAsync(WebhookDelivery delivery, WebhookSecretCredentials connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(connection);
        return ValueTask.FromResult(Verify(delivery, connection.WebhookSecret));
    }

    /// <summary>Whether <paramref name="delivery"/> carries this channel's signature made with <paramref name="secret"/>.</summary>
    protected abstract WebhookVerdict Verify(WebhookDelivery delivery, string secret);
}
