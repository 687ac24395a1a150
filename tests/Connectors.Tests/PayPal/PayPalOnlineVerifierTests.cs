using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using SalesDash.Connectors.PayPal;
using SalesDash.Connectors.Tests.Support;
using SalesDash.Tests.Shared;

namespace SalesDash.Connectors.Tests.PayPal;

/// <summary>
/// PayPal's online verification against a local HTTP server that answers as PayPal's REST docs show: the
/// client-credentials token, verify-webhook-signature's SUCCESS and FAILURE, an expired token (401 invalid_token) and
/// rate limiting (429 RATE_LIMIT_REACHED with Retry-After).
/// </summary>
public sealed class PayPalOnlineVerifierTests : IAsyncDisposable
{
    private const string WebhookId = "8PT597110X687430LKGECATA";
    private const string ClientId = "AYSq3RDGsmBLJE-otTkBtM-jBRd1TCQwFf9RGfwddNXWz0uFU9ztymylOhRS";
    private const string ClientSecret = "EGnHDxD_qRPdaLdZz8iCr8N7_MzF-YHPTkjs6NKYQvQSBngp4PTTVWkPZRbL";
    private const string Signature = "t8UG0hYSfUQ8VRg4qZ2YpBXhN5Mxl2MSKCn4YyftRIJ+kgaqc4H/BYjtJPe2Wae1axcwmJXgX0vNnYhqJL1UHqJFIV5JFwOsZmNtZB7+Q4ag+fDOBlpqZGm0DvRC2ndKBGzX5zFxzpJ1f9ED24EiJjsTlDL58aNntJyxGTOVnzlGVcgTNFu8gGhwwXnBlgPAtQTCPvBQm3v2jKPcpmXzh6qCzZqVwY47CRydwJcA24+AcRNHpYsZ4sj6OAEvmmGDwE5ECKnQXU+/t3mzWk5rL1VXyQ9XORpzKdZIswaQpeBCJzpqyXtujrJq1IKbTTcVvRqeF5NLRMJqI1+zEXqRdw==";
    private static readonly DateTimeOffset SentAt = new(2026, 11, 25, 15, 29, 30, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = SentAt.AddSeconds(30);

    private readonly LocalPayPal _paypal = new();
    private readonly HttpClient _http = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static PayPalTransmission Transmission(string signature = Signature) =>
        new("69cd13f0-d67a-11e5-baa3-778b53f4ae55", SentAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            signature, "https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77", "SHA256withRSA");

    private PayPalApiCredentials Credentials => new(_paypal.BaseAddress, ClientId, ClientSecret);

    private Task<PayPalVerification> VerifyAsync(PayPalOnlineVerifier verifier, PayPalTransmission transmission, string body = PayPalSamples.CaptureCompleted) =>
        verifier.VerifyAsync(transmission, Encoding.UTF8.GetBytes(body), WebhookId, Credentials, Now, Ct);

    [Fact]
    public async Task Genuine_delivery_is_verified_by_paypal_with_a_client_credentials_token_and_the_event_as_sent()
    {
        var verifier = new PayPalOnlineVerifier(_http, TimeProvider.System);

        var verdict = await VerifyAsync(verifier, Transmission());
        var again = await VerifyAsync(verifier, Transmission());

        Assert.Equal(PayPalVerificationOutcome.Valid, verdict.Outcome);
        Assert.Equal(PayPalVerificationOutcome.Valid, again.Outcome);
        // The token is fetched once and reused while it lives.
        Assert.Equal(1, _paypal.TokenRequests);
        Assert.Equal("grant_type=client_credentials", _paypal.LastTokenBody);
        var sent = JsonDocument.Parse(_paypal.VerifyBodies.Last()).RootElement;
        Assert.Equal((WebhookId, "SHA256withRSA", "69cd13f0-d67a-11e5-baa3-778b53f4ae55"),
            (sent.GetProperty("webhook_id").GetString(), sent.GetProperty("auth_algo").GetString(), sent.GetProperty("transmission_id").GetString()));
        Assert.Equal(JsonDocument.Parse(PayPalSamples.CaptureCompleted).RootElement.GetRawText(), sent.GetProperty("webhook_event").GetRawText());
    }

    [Fact]
    public async Task Forged_signature_is_refused_with_paypals_failure()
    {
        var verdict = await VerifyAsync(new PayPalOnlineVerifier(_http, TimeProvider.System), Transmission(signature: "Zm9yZ2Vk"));

        Assert.Equal(PayPalVerificationOutcome.Invalid, verdict.Outcome);
        Assert.Contains("FAILURE", verdict.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_token_is_renewed_once_and_the_delivery_verified()
    {
        var verifier = new PayPalOnlineVerifier(_http, TimeProvider.System);
        Assert.Equal(PayPalVerificationOutcome.Valid, (await VerifyAsync(verifier, Transmission())).Outcome);

        _paypal.ExpireTokens();
        var verdict = await VerifyAsync(verifier, Transmission());

        Assert.Equal(PayPalVerificationOutcome.Valid, verdict.Outcome);
        Assert.Equal(2, _paypal.TokenRequests);
        Assert.Equal(1, _paypal.Unauthorized);
    }

    [Fact]
    public async Task Token_refused_again_after_renewal_is_unavailable_not_a_verdict_on_the_delivery()
    {
        _paypal.RefuseEveryToken = true;

        var verdict = await VerifyAsync(new PayPalOnlineVerifier(_http, TimeProvider.System), Transmission());

        Assert.Equal(PayPalVerificationOutcome.Unavailable, verdict.Outcome);
        Assert.Equal(2, _paypal.TokenRequests);
    }

    [Fact]
    public async Task Rate_limited_verification_waits_for_retry_after_then_succeeds()
    {
        _paypal.RateLimitNext(1, retryAfterSeconds: 1);
        var started = DateTime.UtcNow;

        var verdict = await VerifyAsync(new PayPalOnlineVerifier(_http, TimeProvider.System), Transmission());

        Assert.Equal(PayPalVerificationOutcome.Valid, verdict.Outcome);
        Assert.Equal(2, _paypal.VerifyBodies.Count);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(0.9), "the retry came before PayPal's Retry-After");
    }

    [Fact]
    public async Task Rate_limited_longer_than_a_webhook_can_wait_is_unavailable_with_paypals_retry_after()
    {
        _paypal.RateLimitNext(1, retryAfterSeconds: 120);

        var verdict = await VerifyAsync(new PayPalOnlineVerifier(_http, TimeProvider.System), Transmission());

        Assert.Equal(PayPalVerificationOutcome.Unavailable, verdict.Outcome);
        Assert.InRange(verdict.RetryAfter!.Value.TotalSeconds, 110, 120);
        Assert.Single(_paypal.VerifyBodies);
    }

    [Fact]
    public async Task Stale_transmission_or_missing_headers_are_refused_without_asking_paypal()
    {
        var verifier = new PayPalOnlineVerifier(_http, TimeProvider.System);

        var stale = await verifier.VerifyAsync(Transmission(), Encoding.UTF8.GetBytes(PayPalSamples.CaptureCompleted), WebhookId, Credentials, Now.AddMinutes(10), Ct);
        var missing = await VerifyAsync(verifier, Transmission() with { TransmissionSig = null });
        var notJson = await VerifyAsync(verifier, Transmission(), body: "not json");

        Assert.Equal([PayPalVerificationOutcome.Invalid, PayPalVerificationOutcome.Invalid, PayPalVerificationOutcome.Invalid],
            [stale.Outcome, missing.Outcome, notJson.Outcome]);
        Assert.Contains("tolerance", stale.Problem, StringComparison.Ordinal);
        Assert.Equal(0, _paypal.TokenRequests);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _paypal.DisposeAsync();
    }

    /// <summary>
    /// PayPal's REST API on loopback, answering with the bodies its docs show: /v1/oauth2/token (client credentials) and
    /// /v1/notifications/verify-webhook-signature (SUCCESS when the signature and webhook id are the ones it issued).
    /// </summary>
    private sealed class LocalPayPal : IAsyncDisposable
    {
        private readonly LocalJsonServer _server;
        private readonly ConcurrentQueue<string> _verifyBodies = new();
        private int _tokenNumber;
        private string? _validToken;
        private int _rateLimited;
        private int _retryAfter;
        private int _tokenRequests;
        private int _unauthorized;

        public LocalPayPal() => _server = new LocalJsonServer(Answer);

        public Uri BaseAddress => _server.BaseAddress;

        public int TokenRequests => Volatile.Read(ref _tokenRequests);

        public int Unauthorized => Volatile.Read(ref _unauthorized);

        public string? LastTokenBody { get; private set; }

        public IReadOnlyList<string> VerifyBodies => [.. _verifyBodies];

        public bool RefuseEveryToken { get; set; }

        public void ExpireTokens() => _validToken = null;

        public void RateLimitNext(int count, int retryAfterSeconds) => (_rateLimited, _retryAfter) = (count, retryAfterSeconds);

        private LocalAnswer Answer(LocalRequest request)
        {
            var (path, body) = (request.Path, request.Body);
            if (request.Method == "POST" && path == "/v1/oauth2/token")
            {
                Interlocked.Increment(ref _tokenRequests);
                LastTokenBody = body;
                var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClientId}:{ClientSecret}"));
                if (request.Header("Authorization") != basic || body != "grant_type=client_credentials")
                {
                    return new(401, """{"error":"invalid_client","error_description":"Client Authentication failed"}""");
                }

                var token = $"A21AAFEpH4PsADK7qSS7pSRsgzfENtu-Q1ysgEDVDESseMHBYXVJYE8ovjj68elIDy8nF26AwPhfXTIeWAZHSLIsQkSYz9ifg-{Interlocked.Increment(ref _tokenNumber)}";
                _validToken = RefuseEveryToken ? null : token;
                return new(200, $$"""{"scope":"https://uri.paypal.com/services/invoicing https://uri.paypal.com/services/payments/payment/authcapture openid","access_token":"{{token}}","token_type":"Bearer","app_id":"APP-80W284485P519543T","expires_in":32400,"nonce":"2020-04-03T15:35:36ZaYZlGvEkV4yVSz8g6bAKFoGSEzuy3CQcz3ljhibkOHg"}""");
            }

            if (request.Method == "POST" && path == "/v1/notifications/verify-webhook-signature")
            {
                if (_validToken is null || request.Header("Authorization") != "Bearer " + _validToken)
                {
                    Interlocked.Increment(ref _unauthorized);
                    return new(401, """{"error":"invalid_token","error_description":"Token signature verification failed"}""");
                }

                _verifyBodies.Enqueue(body);
                if (_rateLimited > 0)
                {
                    _rateLimited--;
                    return new(429, """{"name":"RATE_LIMIT_REACHED","message":"Too many requests. Blocked due to rate limiting.","debug_id":"90957fca61718","information_link":"https://developer.paypal.com/docs/api/overview/#error"}""")
                    {
                        Headers = new Dictionary<string, string> { ["Retry-After"] = _retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                    };
                }

                using var sent = JsonDocument.Parse(body);
                var root = sent.RootElement;
                var genuine = root.GetProperty("transmission_sig").GetString() == Signature && root.GetProperty("webhook_id").GetString() == WebhookId
                    && root.GetProperty("webhook_event").GetProperty("id").GetString() == "WH-58D329510W468432D-8HN650336L201105X";
                return new(200, genuine ? """{"verification_status":"SUCCESS"}""" : """{"verification_status":"FAILURE"}""");
            }

            return new(404, """{"name":"RESOURCE_NOT_FOUND","message":"The specified resource does not exist."}""");
        }

        public ValueTask DisposeAsync() => _server.DisposeAsync();
    }
}
