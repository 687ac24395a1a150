using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.Polling;

namespace SalesDash.Connectors.PayPal;

/// <summary>The REST app credentials of a PayPal connection and the API host they belong to (live or sandbox).</summary>
public sealed record PayPalApiCredentials(Uri ApiBase, string ClientId, string ClientSecret);

/// <summary>What PayPal's verification said: valid, refused (with why), or not answerable now (try the delivery again later).</summary>
public sealed record PayPalVerification(PayPalVerificationOutcome Outcome, string? Problem, TimeSpan? RetryAfter = null)
{
    public static PayPalVerification Valid { get; } = new(PayPalVerificationOutcome.Valid, null);

    public static PayPalVerification Invalid(string problem) => new(PayPalVerificationOutcome.Invalid, problem);

    public static PayPalVerification Unavailable(string problem, TimeSpan? retryAfter = null) => new(PayPalVerificationOutcome.Unavailable, problem, retryAfter);
}

public enum PayPalVerificationOutcome
{
    Valid,
    Invalid,

    /// <summary>PayPal could not be asked (rate limited, down, credentials refused): the delivery is neither accepted nor condemned.</summary>
    Unavailable,
}

/// <summary>
/// OAuth 2.0 client-credentials grant as PayPal's REST docs show it ("Get started: get an access token"): POST
/// {api}/v1/oauth2/token with HTTP Basic client_id:secret and grant_type=client_credentials, answered
/// {"scope", "access_token", "token_type":"Bearer", "app_id", "expires_in":32400, "nonce"}. Cached until a minute before it expires.
/// </summary>
public sealed class PayPalClientCredentialsToken(HttpClient http, PayPalApiCredentials credentials, TimeProvider time) : IAccessTokenSource
{
    private static readonly TimeSpan ExpirySafety = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _token;
    private DateTimeOffset _expiresAt;

    public bool CanRefresh => true;

    public async ValueTask<string> GetAsync(bool refresh, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!refresh && _token is not null && time.GetUtcNow() < _expiresAt)
            {
                return _token;
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(credentials.ApiBase, "/v1/oauth2/token"))
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.ClientId}:{credentials.ClientSecret}")));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if ((int)response.StatusCode is 400 or 401 or 403)
            {
                // invalid_client: the client id or secret is wrong, or the app was deleted.
                throw new ChannelAuthException($"PayPal refused the client id and secret (HTTP {(int)response.StatusCode}: {ChannelHttp.Excerpt(body)}); check the connection's credentials.");
            }

            if ((int)response.StatusCode == 429)
            {
                throw new ChannelRateLimitedException(time.GetUtcNow() + (ChannelHttp.RetryAfter(response, time.GetUtcNow()) ?? TimeSpan.FromSeconds(30)),
                    $"PayPal's token endpoint asked to slow down: {ChannelHttp.Excerpt(body)}");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new ChannelResponseException($"PayPal's token endpoint answered HTTP {(int)response.StatusCode}: {ChannelHttp.Excerpt(body)}", (int)response.StatusCode);
            }

            try
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                _token = root.TryGetProperty("access_token", out var token) && token.ValueKind == JsonValueKind.String && token.GetString() is { Length: > 0 } value
                    ? value
                    : throw new ChannelResponseException("PayPal's token answer has no access_token.");
                var seconds = root.TryGetProperty("expires_in", out var expires) && expires.TryGetInt32(out var s) ? s : 0;
                _expiresAt = time.GetUtcNow() + TimeSpan.FromSeconds(Math.Max(0, seconds)) - ExpirySafety;
                return _token;
            }
            catch (JsonException e)
            {
                throw new ChannelResponseException($"PayPal's token answer is not JSON: {e.Message}");
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>
/// PayPal's online webhook verification (REST API "Webhooks: verify webhook signature"): POST
/// {api}/v1/notifications/verify-webhook-signature with the delivery's PAYPAL-* headers, the connection's webhook id and
/// the event itself, as a bearer of a client-credentials token; PayPal answers {"verification_status":"SUCCESS"} or
/// "FAILURE". A 401 (expired token) renews the token once; 429 and 5xx are retried honouring Retry-After up to a short
/// wait, as a webhook sender waits for the answer. The transmission time is still checked against the tolerance here,
/// which bounds replays: PayPal only says whether the signature is genuine, not whether the delivery is new.
/// </summary>
public sealed class PayPalOnlineVerifier
{
    /// <summary>Retries for a webhook stay short: PayPal resends an unanswered delivery anyway.</summary>
    public static readonly ChannelHttpOptions WebhookHttpOptions = new()
    {
        MaxRetries = 2,
        BaseDelay = TimeSpan.FromMilliseconds(200),
        MaxInlineWait = TimeSpan.FromSeconds(5),
    };

    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ChannelHttp _channel;
    private readonly ConcurrentDictionary<string, PayPalClientCredentialsToken> _tokens = new(StringComparer.Ordinal);

    public PayPalOnlineVerifier(HttpClient http, TimeProvider time, ChannelHttpOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(time);
        (_http, _time) = (http, time);
        _channel = new ChannelHttp(http, time, options ?? WebhookHttpOptions);
    }

    public async Task<PayPalVerification> VerifyAsync(
        PayPalTransmission transmission, ReadOnlyMemory<byte> rawBody, string webhookId, PayPalApiCredentials credentials, DateTimeOffset now,
        CancellationToken cancellationToken, TimeSpan? tolerance = null)
    {
        ArgumentNullException.ThrowIfNull(transmission);
        ArgumentNullException.ThrowIfNull(credentials);
        if (string.IsNullOrWhiteSpace(webhookId))
        {
            return PayPalVerification.Invalid("no webhook id is configured for this PayPal connection");
        }

        if (string.IsNullOrWhiteSpace(transmission.TransmissionId) || string.IsNullOrWhiteSpace(transmission.TransmissionTime)
            || string.IsNullOrWhiteSpace(transmission.TransmissionSig) || string.IsNullOrWhiteSpace(transmission.CertUrl)
            || string.IsNullOrWhiteSpace(transmission.AuthAlgo))
        {
            return PayPalVerification.Invalid("the PAYPAL-TRANSMISSION-ID, -TIME, -SIG, PAYPAL-CERT-URL and PAYPAL-AUTH-ALGO headers are all required");
        }

        if (!DateTimeOffset.TryParse(transmission.TransmissionTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var sentAt))
        {
            return PayPalVerification.Invalid($"PAYPAL-TRANSMISSION-TIME '{transmission.TransmissionTime}' is not a timestamp");
        }

        if ((now - sentAt).Duration() > (tolerance ?? PayPalWebhookVerifier.DefaultTolerance))
        {
            return PayPalVerification.Invalid($"the transmission time {sentAt.UtcDateTime:O} is outside the allowed tolerance of now");
        }

        byte[] request;
        try
        {
            request = RequestBody(transmission, webhookId.Trim(), rawBody);
        }
        catch (JsonException e)
        {
            return PayPalVerification.Invalid($"the body is not the JSON event PayPal signs: {e.Message}");
        }

        var url = new Uri(credentials.ApiBase, "/v1/notifications/verify-webhook-signature");
        try
        {
            using var document = await _channel.GetJsonAsync(token =>
            {
                var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(request) };
                message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                return message;
            }, TokensFor(credentials), cancellationToken);
            var status = document.RootElement.TryGetProperty("verification_status", out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
            return status switch
            {
                "SUCCESS" => PayPalVerification.Valid,
                "FAILURE" => PayPalVerification.Invalid("PayPal's verify-webhook-signature answered FAILURE for this delivery and webhook id"),
                _ => PayPalVerification.Unavailable($"PayPal's verify-webhook-signature answered without a known verification_status ('{status}')"),
            };
        }
        catch (ChannelRateLimitedException e)
        {
            var wait = e.RetryAt - _time.GetUtcNow();
            return PayPalVerification.Unavailable(e.Message, wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
        }
        catch (Exception e) when (e is ChannelAuthException or ChannelResponseException)
        {
            return PayPalVerification.Unavailable(e.Message);
        }
    }

    /// <summary>
    /// The verification request as PayPal's docs show it, with the event spliced in as it arrived: re-serialising could
    /// reorder or reformat what PayPal compares.
    /// </summary>
    public static byte[] RequestBody(PayPalTransmission transmission, string webhookId, ReadOnlyMemory<byte> rawBody)
    {
        ArgumentNullException.ThrowIfNull(transmission);
        using (var check = JsonDocument.Parse(rawBody))
        {
            if (check.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException("the event is not a JSON object");
            }
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("auth_algo", transmission.AuthAlgo?.Trim());
            writer.WriteString("cert_url", transmission.CertUrl?.Trim());
            writer.WriteString("transmission_id", transmission.TransmissionId?.Trim());
            writer.WriteString("transmission_sig", transmission.TransmissionSig?.Trim());
            writer.WriteString("transmission_time", transmission.TransmissionTime?.Trim());
            writer.WriteString("webhook_id", webhookId);
            writer.WritePropertyName("webhook_event");
            writer.WriteRawValue(rawBody.Span, skipInputValidation: false);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private PayPalClientCredentialsToken TokensFor(PayPalApiCredentials credentials)
    {
        // One cached token per app; the secret is part of the key (hashed) so a changed secret gets a fresh token.
        var key = $"{credentials.ApiBase.AbsoluteUri}|{credentials.ClientId}|{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(credentials.ClientSecret)))}";
        return _tokens.GetOrAdd(key, _ => new PayPalClientCredentialsToken(_http, credentials, _time));
    }
}
