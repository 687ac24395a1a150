using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Tests.Plans;

/// <summary>
/// A local HTTP server that answers the Stripe API calls SalesDash makes, written from Stripe's documented request and
/// response shapes (docs.stripe.com/api): form-encoded POSTs with a bearer secret key, JSON objects back, Stripe's
/// error object on refusal. It records what was asked, and makes the signed events Stripe would send when a Checkout
/// session is paid, so tests drive the whole upgrade without the internet.
/// </summary>
public sealed class FakeStripe : IAsyncDisposable
{
    public const string SecretKey = "sk_test_salesdash_fake";
    public const string WebhookSecret = "whsec_test_salesdash_fake";

    private readonly WebApplication _app;
    private int _next;

    private FakeStripe(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Where the hosted Checkout page sends the paid subscription's event (the app's billing webhook), for browser tests.</summary>
    public Uri? WebhookTarget { get; set; }

    /// <summary>The clock the hosted Checkout page stamps its events with.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Customers by id: their form fields as sent.</summary>
    public ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> Customers { get; } = new();

    /// <summary>Checkout sessions by id: their form fields as sent.</summary>
    public ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> CheckoutSessions { get; } = new();

    public ConcurrentQueue<IReadOnlyDictionary<string, string>> PortalSessions { get; } = new();

    /// <summary>Idempotency-Key → customer id, as Stripe replays the first answer to a retried key.</summary>
    private ConcurrentDictionary<string, string> Idempotent { get; } = new();

    public static async Task<FakeStripe> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeStripe(app);
        app.MapPost("/v1/customers", fake.CreateCustomerAsync);
        app.MapPost("/v1/checkout/sessions", fake.CreateCheckoutSessionAsync);
        app.MapPost("/v1/billing_portal/sessions", fake.CreatePortalSessionAsync);
        app.MapGet("/c/pay/{id}", fake.CheckoutPage);
        app.MapPost("/c/pay/{id}", fake.PayAsync);
        await app.StartAsync();
        fake.BaseAddress = new Uri(app.Urls.First() + "/");
        return fake;
    }

    public static void Configure(IWebHostBuilder builder, Uri apiBase)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var (key, value) in Settings(apiBase))
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>The Plans:Stripe settings that point the app at this fake at <paramref name="apiBase"/>.</summary>
    public static Dictionary<string, string> Settings(Uri apiBase)
    {
        ArgumentNullException.ThrowIfNull(apiBase);
        return new Dictionary<string, string>
        {
            ["Plans:Stripe:ApiBase"] = apiBase.ToString(),
            ["Plans:Stripe:SecretKey"] = SecretKey,
            ["Plans:Stripe:WebhookSecret"] = WebhookSecret,
            ["Plans:Stripe:Prices:Starter"] = "price_starter_monthly",
            ["Plans:Stripe:Prices:Growth"] = "price_growth_monthly",
            ["Plans:Stripe:Prices:Scale"] = "price_scale_monthly",
        };
    }

    /// <summary>The Checkout session a checkout URL names (…/c/pay/{id}).</summary>
    public static string SessionIdOf(Uri checkoutUrl)
    {
        ArgumentNullException.ThrowIfNull(checkoutUrl);
        return checkoutUrl.Segments[^1];
    }

    /// <summary>
    /// The customer.subscription.created event Stripe sends when the session is paid: the subscription of the session's
    /// customer at its price, with the metadata Checkout was given.
    /// </summary>
    public string SubscriptionEvent(string sessionId, string type, string status, DateTimeOffset at, string? price = null, string? subscriptionId = null)
    {
        var session = CheckoutSessions[sessionId];
        var subscription = new JsonObject
        {
            ["id"] = subscriptionId ?? $"sub_{sessionId}",
            ["object"] = "subscription",
            ["customer"] = session["customer"],
            ["status"] = status,
            ["cancel_at_period_end"] = false,
            ["metadata"] = new JsonObject { ["organisation_id"] = session["subscription_data[metadata][organisation_id]"] },
            ["items"] = new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(new JsonObject
                {
                    ["id"] = $"si_{sessionId}",
                    ["object"] = "subscription_item",
                    ["current_period_end"] = at.AddMonths(1).ToUnixTimeSeconds(),
                    ["price"] = new JsonObject { ["id"] = price ?? session["line_items[0][price]"], ["object"] = "price" },
                    ["quantity"] = 1,
                }),
            },
        };
        return Event(type, at, subscription);
    }

    /// <summary>An invoice.* event for <paramref name="customer"/>.</summary>
    public string InvoiceEvent(string type, string customer, string status, DateTimeOffset at) =>
        Event(type, at, new JsonObject { ["id"] = $"in_{Interlocked.Increment(ref _next)}", ["object"] = "invoice", ["customer"] = customer, ["status"] = status });

    /// <summary>The Stripe-Signature header Stripe would send with <paramref name="payload"/> at <paramref name="at"/>.</summary>
    public static string Signature(string payload, DateTimeOffset at, string secret = WebhookSecret) =>
        $"t={at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)},v1={StripeSignature.Sign(secret, at.ToUnixTimeSeconds(), payload)}";

    private string Event(string type, DateTimeOffset at, JsonObject obj) => new JsonObject
    {
        ["id"] = $"evt_{Interlocked.Increment(ref _next)}",
        ["object"] = "event",
        ["api_version"] = "2025-03-31.basil",
        ["created"] = at.ToUnixTimeSeconds(),
        ["type"] = type,
        ["livemode"] = false,
        ["data"] = new JsonObject { ["object"] = obj },
    }.ToJsonString();

    private async Task<IResult> CreateCustomerAsync(HttpRequest request)
    {
        if (await FormAsync(request) is not { } form)
        {
            return Unauthorized();
        }

        var key = request.Headers["Idempotency-Key"].ToString();
        if (key.Length > 0 && Idempotent.TryGetValue(key, out var replayed))
        {
            return Results.Json(new { id = replayed, @object = "customer" });
        }

        var id = $"cus_{Interlocked.Increment(ref _next)}";
        Customers[id] = form;
        if (key.Length > 0)
        {
            Idempotent[key] = id;
        }

        return Results.Json(new { id, @object = "customer", email = form.GetValueOrDefault("email"), name = form.GetValueOrDefault("name") });
    }

    private async Task<IResult> CreateCheckoutSessionAsync(HttpRequest request)
    {
        if (await FormAsync(request) is not { } form)
        {
            return Unauthorized();
        }

        foreach (var required in new[] { "mode", "success_url", "line_items[0][price]" })
        {
            if (!form.ContainsKey(required))
            {
                return Invalid($"Missing required param: {required}.", required);
            }
        }

        if (form.TryGetValue("customer", out var customer) && !Customers.ContainsKey(customer))
        {
            return Invalid($"No such customer: '{customer}'", "customer");
        }

        var id = $"cs_test_{Interlocked.Increment(ref _next)}";
        CheckoutSessions[id] = form;
        return Results.Json(new
        {
            id,
            @object = "checkout.session",
            mode = form["mode"],
            customer = form.GetValueOrDefault("customer"),
            status = "open",
            url = new Uri(BaseAddress, $"c/pay/{id}").ToString(),
        });
    }

    private async Task<IResult> CreatePortalSessionAsync(HttpRequest request)
    {
        if (await FormAsync(request) is not { } form)
        {
            return Unauthorized();
        }

        if (!form.TryGetValue("customer", out var customer) || !Customers.ContainsKey(customer))
        {
            return Invalid($"No such customer: '{form.GetValueOrDefault("customer")}'", "customer");
        }

        PortalSessions.Enqueue(form);
        return Results.Json(new
        {
            id = $"bps_{Interlocked.Increment(ref _next)}",
            @object = "billing_portal.session",
            customer,
            return_url = form.GetValueOrDefault("return_url"),
            url = new Uri(BaseAddress, $"p/session/{customer}").ToString(),
        });
    }

    /// <summary>The hosted Checkout page: one button that pays.</summary>
    private IResult CheckoutPage(string id) => CheckoutSessions.TryGetValue(id, out var session)
        ? Results.Content(
            $"<!doctype html><title>Fake Checkout</title><h1>Pay for {System.Net.WebUtility.HtmlEncode(session["line_items[0][price]"])}</h1>"
            + "<form method=\"post\"><button type=\"submit\">Pay</button></form>", "text/html")
        : Results.NotFound();

    /// <summary>Paying: Stripe sends customer.subscription.created to the webhook, then the browser back to success_url.</summary>
    private async Task<IResult> PayAsync(string id)
    {
        if (!CheckoutSessions.TryGetValue(id, out var session) || WebhookTarget is null)
        {
            return Results.NotFound();
        }

        var now = Clock.GetUtcNow();
        var payload = SubscriptionEvent(id, "customer.subscription.created", "active", now);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, WebhookTarget) { Content = new StringContent(payload, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", Signature(payload, now));
        using var delivered = await http.SendAsync(request);
        return delivered.IsSuccessStatusCode
            ? Results.Redirect(session["success_url"])
            : Results.Problem(statusCode: StatusCodes.Status502BadGateway, detail: $"The webhook answered {(int)delivered.StatusCode}.");
    }

    /// <summary>The form of an authorised request, or null when the bearer key is not the secret key.</summary>
    private static async Task<IReadOnlyDictionary<string, string>?> FormAsync(HttpRequest request)
    {
        if (request.Headers.Authorization.ToString() != $"Bearer {SecretKey}" || !request.HasFormContentType)
        {
            return null;
        }

        var form = await request.ReadFormAsync();
        return form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
    }

    private static IResult Unauthorized() => Results.Json(
        new { error = new { type = "invalid_request_error", message = "Invalid API Key provided." } }, statusCode: StatusCodes.Status401Unauthorized);

    private static IResult Invalid(string message, string param) => Results.Json(
        new { error = new { type = "invalid_request_error", message, param } }, statusCode: StatusCodes.Status400BadRequest);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal static class JsonForms
{
    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
