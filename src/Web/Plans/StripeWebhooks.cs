using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Plans;

/// <summary>
/// Checks the Stripe-Signature header: <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.body"&gt;</c> with the
/// endpoint's signing secret; any one v1 may match (Stripe sends several while a secret is being rolled).
/// </summary>
public static class StripeSignature
{
    public static string Sign(string secret, long timestamp, string payload)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp.ToString(CultureInfo.InvariantCulture)}.{payload}"));
        return Convert.ToHexStringLower(mac);
    }

    /// <summary>Null when the header is valid for <paramref name="payload"/> now; else why not.</summary>
    public static string? Verify(string? header, string payload, string secret, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return "The Stripe-Signature header is missing.";
        }

        long? timestamp = null;
        var signatures = new List<string>();
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var (key, value) = (part[..eq], part[(eq + 1)..]);
            if (key == "t" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                timestamp = t;
            }
            else if (key == "v1")
            {
                signatures.Add(value);
            }
        }

        if (timestamp is not { } at || signatures.Count == 0)
        {
            return "The Stripe-Signature header has no t=… timestamp or no v1=… signature.";
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, at, payload));
        if (!signatures.Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s.ToLowerInvariant()), expected)))
        {
            return "No v1 signature matches this payload and the endpoint's signing secret.";
        }

        // Checked after the signature, so an attacker learns nothing about the clock from an unsigned request.
        var age = now - DateTimeOffset.FromUnixTimeSeconds(at);
        return age.Duration() > tolerance ? $"The signature's timestamp is {age.Duration().TotalSeconds:0} s from now, beyond the tolerance." : null;
    }
}

/// <summary>One Stripe event as SalesDash reads it.</summary>
public sealed record StripeEvent(string Id, string Type, long Created, JsonElement Object)
{
    public static StripeEvent? Parse(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && Text(root, "id") is { } id && Text(root, "type") is { } type
        && root.TryGetProperty("created", out var created) && created.TryGetInt64(out var at)
        && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
        && data.TryGetProperty("object", out var obj) && obj.ValueKind == JsonValueKind.Object
            ? new StripeEvent(id, type, at, obj)
            : null;

    public static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>The customer id, whether Stripe sent it as an id or expanded it into an object.</summary>
    public string? Customer => Object.TryGetProperty("customer", out var c)
        ? c.ValueKind == JsonValueKind.String ? c.GetString() : Text(c, "id")
        : null;

    public string? OrganisationId => Object.TryGetProperty("metadata", out var metadata) ? Text(metadata, "organisation_id") : null;
}

/// <summary>
/// How Stripe's events change an organisation's billing row: pure, so each rule (stale events, another
/// subscription's cancellation, unknown prices) is tested without HTTP.
/// </summary>
public static class StripeBillingEvents
{
    /// <summary>Applies a <c>customer.subscription.*</c> event; false when it is older than what the row holds or about another subscription.</summary>
    public static bool ApplySubscription(OrganisationBilling row, StripeEvent evt, StripeBillingOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(evt);
        ArgumentNullException.ThrowIfNull(options);
        var subscription = evt.Object;
        var id = StripeEvent.Text(subscription, "id");
        var status = evt.Type == "customer.subscription.deleted" ? "canceled" : StripeEvent.Text(subscription, "status") ?? "incomplete";
        if (evt.Created < row.LastEventCreated)
        {
            return false;
        }

        // The end of an old subscription (replaced through the portal) must not end the one that replaced it.
        if (row.StripeSubscriptionId is { } current && current != id && !Grants(status) && Grants(row.Status))
        {
            return false;
        }

        row.StripeCustomerId = evt.Customer ?? row.StripeCustomerId;
        row.StripeSubscriptionId = id;
        row.Status = status;
        row.Tier = options.TierOfPrice(PriceOf(subscription));
        row.CancelAtPeriodEnd = subscription.TryGetProperty("cancel_at_period_end", out var cancel) && cancel.ValueKind == JsonValueKind.True;
        row.CurrentPeriodEnd = PeriodEnd(subscription);
        row.LastEventCreated = evt.Created;
        row.UpdatedAt = now;
        return true;
    }

    /// <summary>Records what an <c>invoice.*</c> event says about payment; the tier follows the subscription's own events.</summary>
    public static bool ApplyInvoice(OrganisationBilling row, StripeEvent evt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(evt);
        var outcome = evt.Type switch
        {
            "invoice.paid" or "invoice.payment_succeeded" => "paid",
            "invoice.payment_failed" => "payment_failed",
            "invoice.payment_action_required" => "action_required",
            _ => null,
        };
        if (outcome is null)
        {
            return false;
        }

        row.StripeCustomerId ??= evt.Customer;
        row.LastInvoiceStatus = outcome;
        row.UpdatedAt = now;
        return true;
    }

    /// <summary>
    /// Statuses that keep the paid tier: past_due is Stripe still retrying a failed payment (its dunning), so one
    /// missed payment does not cut the data off; Stripe says canceled or unpaid when it gives up.
    /// </summary>
    public static bool Grants(string? status) => status is "active" or "trialing" or "past_due";

    private static string? PriceOf(JsonElement subscription) =>
        subscription.TryGetProperty("items", out var items) && items.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array
            ? data.EnumerateArray().Select(i => i.TryGetProperty("price", out var price) ? StripeEvent.Text(price, "id") : null).FirstOrDefault(p => p is not null)
            : null;

    /// <summary>current_period_end sits on the subscription in older API versions and on each item since 2025-03-31.</summary>
    private static DateTimeOffset? PeriodEnd(JsonElement subscription)
    {
        if (subscription.TryGetProperty("current_period_end", out var end) && end.TryGetInt64(out var seconds))
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        return subscription.TryGetProperty("items", out var items) && items.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array
            ? data.EnumerateArray().Select(i => i.TryGetProperty("current_period_end", out var e) && e.TryGetInt64(out var s) ? DateTimeOffset.FromUnixTimeSeconds(s) : (DateTimeOffset?)null)
                .FirstOrDefault(e => e is not null)
            : null;
    }
}

/// <summary>POST /webhooks/stripe-billing: Stripe's subscription and invoice events, the only writer of the paid tier.</summary>
public static partial class StripeWebhookEndpoint
{
    /// <summary>Stripe's events are a few kilobytes; a megabyte bounds what an unsigned caller can make the server read.</summary>
    private const int MaxBodyBytes = 1 << 20;

    public static RouteGroupBuilder MapStripeBillingWebhook(this RouteGroupBuilder webhooks)
    {
        ArgumentNullException.ThrowIfNull(webhooks);
        webhooks.MapPost("/stripe-billing", HandleAsync).WithName("StripeBillingWebhook");
        return webhooks;
    }

    private static async Task<Results<Ok, ProblemHttpResult>> HandleAsync(
        HttpRequest request, IOptions<StripeBillingOptions> options, IDbContextFactory<AppIdentityDbContext> databases, TimeProvider time,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        // 404 first: an install without billing has no such endpoint, whatever the caller sends.
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.WebhookSecret))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Billing is not configured",
                detail: "This install has no Stripe webhook signing secret (Plans:Stripe:WebhookSecret).");
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Event too large", detail: "Stripe events are far smaller.");
        }

        // The signature covers the exact bytes, so the body is read raw before any parsing.
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var payload = await reader.ReadToEndAsync(cancellationToken);
        var now = time.GetUtcNow();
        if (StripeSignature.Verify(request.Headers["Stripe-Signature"], payload, settings.WebhookSecret, now, settings.WebhookTolerance) is { } why)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Signature not valid", detail: why);
        }

        StripeEvent? evt;
        try
        {
            using var json = JsonDocument.Parse(payload);
            evt = StripeEvent.Parse(json.RootElement.Clone());
        }
        catch (JsonException)
        {
            evt = null;
        }

        if (evt is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a Stripe event",
                detail: "The body is signed but is not an event with id, type, created and data.object.");
        }

        var logger = loggers.CreateLogger(typeof(StripeWebhookEndpoint));
        var subscriptionEvent = evt.Type.StartsWith("customer.subscription.", StringComparison.Ordinal);
        if (!subscriptionEvent && !evt.Type.StartsWith("invoice.", StringComparison.Ordinal))
        {
            // Acknowledged, so Stripe does not retry an event this endpoint was never meant to act on.
            return TypedResults.Ok();
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await FindRowAsync(db, evt, cancellationToken);
        if (row is null)
        {
            // Acknowledged too: retrying cannot make an unknown customer known; the log says which.
            LogUnknownCustomer(logger, evt.Id, evt.Type, evt.Customer);
            return TypedResults.Ok();
        }

        var applied = subscriptionEvent ? StripeBillingEvents.ApplySubscription(row, evt, settings, now) : StripeBillingEvents.ApplyInvoice(row, evt, now);
        if (applied && subscriptionEvent && row.Tier is null && StripeBillingEvents.Grants(row.Status))
        {
            LogUnknownPrice(logger, evt.Id, row.OrganisationId);
        }

        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok();
    }

    /// <summary>The organisation by the customer SalesDash created, else by the organisation id Checkout put in the subscription's metadata.</summary>
    private static async Task<OrganisationBilling?> FindRowAsync(AppIdentityDbContext db, StripeEvent evt, CancellationToken cancellationToken)
    {
        if (evt.Customer is { } customer
            && await db.OrganisationBillings.FirstOrDefaultAsync(b => b.StripeCustomerId == customer, cancellationToken) is { } byCustomer)
        {
            return byCustomer;
        }

        if (evt.OrganisationId is not { } organisation || !await db.Organisations.AnyAsync(o => o.Id == organisation, cancellationToken))
        {
            return null;
        }

        var row = await db.OrganisationBillings.FirstOrDefaultAsync(b => b.OrganisationId == organisation, cancellationToken);
        if (row is null)
        {
            row = new OrganisationBilling { OrganisationId = organisation };
            db.OrganisationBillings.Add(row);
        }

        return row;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe event {EventId} ({Type}) names customer {Customer}, which no organisation has; acknowledged and ignored")]
    private static partial void LogUnknownCustomer(ILogger logger, string eventId, string type, string? customer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe event {EventId} gives {Organisation} a subscription whose price is not in Plans:Stripe:Prices; no paid tier granted")]
    private static partial void LogUnknownPrice(ILogger logger, string eventId, string organisation);
}
