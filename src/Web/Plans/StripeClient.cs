using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace SalesDash.Web.Plans;

/// <summary>Stripe Billing settings, bound from "Plans:Stripe". Billing is on when a secret key is set.</summary>
public sealed class StripeBillingOptions
{
    public const string Section = "Plans:Stripe";

    /// <summary>Stripe's API; tests point it at a local fake that answers Stripe's documented shapes.</summary>
    public Uri ApiBase { get; set; } = new("https://api.stripe.com/");

    /// <summary>The secret API key (sk_live_… / sk_test_…), sent as a bearer token.</summary>
    public string? SecretKey { get; set; }

    /// <summary>The webhook endpoint's signing secret (whsec_…) that Stripe-Signature is checked against.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>
    /// How old a signed webhook may be: Stripe's libraries default to 5 minutes, which bounds how long a captured
    /// delivery could be replayed.
    /// </summary>
    public TimeSpan WebhookTolerance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The Stripe price id of each paid tier, e.g. Plans:Stripe:Prices:Growth=price_123. Enterprise is sold by contract.</summary>
    public Dictionary<PlanTier, string> Prices { get; } = [];

    public bool Enabled => !string.IsNullOrWhiteSpace(SecretKey);

    public PlanTier? TierOfPrice(string? priceId) =>
        priceId is null ? null : Prices.Where(p => string.Equals(p.Value, priceId, StringComparison.Ordinal)).Select(p => (PlanTier?)p.Key).FirstOrDefault();
}

/// <summary>A refusal or failure answered by Stripe, with Stripe's own message.</summary>
public sealed class StripeException(string message, int statusCode) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>
/// The three Stripe calls SalesDash makes (create a customer, a Checkout session, a customer-portal session), as
/// form-encoded POSTs with the secret key as bearer, answered with JSON objects (docs.stripe.com/api).
/// </summary>
public sealed class StripeClient(HttpClient http, IOptions<StripeBillingOptions> options)
{
    /// <summary>POST /v1/customers; the idempotency key makes a retried sign-up create one customer, not two.</summary>
    public async Task<string> CreateCustomerAsync(string organisationId, string organisationName, string? email, CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("name", organisationName),
            new("metadata[organisation_id]", organisationId),
        };
        if (!string.IsNullOrWhiteSpace(email))
        {
            form.Add(new("email", email));
        }

        using var answer = await PostAsync("v1/customers", form, $"salesdash-customer-{organisationId}", cancellationToken);
        return Id(answer);
    }

    /// <summary>POST /v1/checkout/sessions in subscription mode; the organisation id rides in the subscription's metadata.</summary>
    public async Task<string> CreateCheckoutSessionAsync(
        string customerId, string priceId, string organisationId, Uri successUrl, Uri cancelUrl, CancellationToken cancellationToken)
    {
        using var answer = await PostAsync("v1/checkout/sessions",
        [
            new("mode", "subscription"),
            new("customer", customerId),
            new("client_reference_id", organisationId),
            new("line_items[0][price]", priceId),
            new("line_items[0][quantity]", "1"),
            new("subscription_data[metadata][organisation_id]", organisationId),
            new("success_url", successUrl.ToString()),
            new("cancel_url", cancelUrl.ToString()),
        ], null, cancellationToken);
        return Url(answer);
    }

    /// <summary>POST /v1/billing_portal/sessions: where the customer changes payment details, switches tier or cancels.</summary>
    public async Task<string> CreatePortalSessionAsync(string customerId, Uri returnUrl, CancellationToken cancellationToken)
    {
        using var answer = await PostAsync("v1/billing_portal/sessions", [new("customer", customerId), new("return_url", returnUrl.ToString())], null,
            cancellationToken);
        return Url(answer);
    }

    private async Task<JsonDocument> PostAsync(
        string path, IEnumerable<KeyValuePair<string, string>> form, string? idempotencyKey, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.Value.ApiBase, path)) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.SecretKey);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonDocument? json = null;
        try
        {
            json = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            // Not Stripe's JSON (a proxy's error page): reported below with the status.
        }

        if (!response.IsSuccessStatusCode || json is null)
        {
            var message = json is not null && json.RootElement.TryGetProperty("error", out var error) && error.TryGetProperty("message", out var text)
                ? text.GetString()
                : null;
            json?.Dispose();
            throw new StripeException($"Stripe answered {(int)response.StatusCode} to {path}: {message ?? "no error message"}", (int)response.StatusCode);
        }

        return json;
    }

    private static string Id(JsonDocument answer) => Field(answer, "id");

    private static string Url(JsonDocument answer) => Field(answer, "url");

    private static string Field(JsonDocument answer, string name) =>
        answer.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new StripeException($"Stripe's answer has no '{name}'.", 502);
}
