using System.Net.Http.Json;
using System.Text.Json;

namespace SalesDash.Connectors.Polling;

/// <summary>Supplies the bearer token for a channel's API; <see cref="CanRefresh"/> says whether a refused token can be renewed.</summary>
public interface IAccessTokenSource
{
    bool CanRefresh { get; }

    /// <summary>The current token; with <paramref name="refresh"/>, a fresh one even if the cached one has not expired.</summary>
    ValueTask<string> GetAsync(bool refresh, CancellationToken cancellationToken);
}

/// <summary>A long-lived token pasted in by the user (Facebook system-user token, Shopify Admin token); nothing to renew.</summary>
public sealed class StaticAccessToken(string token) : IAccessTokenSource
{
    public bool CanRefresh => false;

    public ValueTask<string> GetAsync(bool refresh, CancellationToken cancellationToken) => ValueTask.FromResult(token);
}

/// <summary>
/// OAuth 2.0 refresh-token grant (RFC 6749 §6), as both Google's token endpoint and Amazon's Login with Amazon use it:
/// POST grant_type=refresh_token with the client id and secret, answer {"access_token", "expires_in"}.
/// The access token is cached until a minute before it expires.
/// </summary>
public sealed class RefreshTokenSource : IAccessTokenSource
{
    private static readonly TimeSpan ExpirySafety = TimeSpan.FromMinutes(1);

    private readonly HttpClient _http;
    private readonly Uri _tokenEndpoint;
    private readonly string _clientId;
    private readonly string _clientSecret;
    private readonly string _refreshToken;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _token;
    private DateTimeOffset _expiresAt;

    public RefreshTokenSource(HttpClient http, Uri tokenEndpoint, string clientId, string clientSecret, string refreshToken, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(tokenEndpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(clientId);
        ArgumentException.ThrowIfNullOrWhiteSpace(clientSecret);
        ArgumentException.ThrowIfNullOrWhiteSpace(refreshToken);
        ArgumentNullException.ThrowIfNull(time);
        (_http, _tokenEndpoint, _clientId, _clientSecret, _refreshToken, _time) = (http, tokenEndpoint, clientId, clientSecret, refreshToken, time);
    }

    public bool CanRefresh => true;

    public async ValueTask<string> GetAsync(bool refresh, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!refresh && _token is not null && _time.GetUtcNow() < _expiresAt)
            {
                return _token;
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, _tokenEndpoint)
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "refresh_token",
                    ["refresh_token"] = _refreshToken,
                    ["client_id"] = _clientId,
                    ["client_secret"] = _clientSecret,
                }),
            };
            using var response = await _http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if ((int)response.StatusCode is 400 or 401 or 403)
            {
                // invalid_grant / invalid_client: the refresh token was revoked or expired, or the app's secret changed.
                throw new ChannelAuthException($"The token endpoint refused the refresh token (HTTP {(int)response.StatusCode}: {ChannelHttp.Excerpt(body)}); reconnect the channel.");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new ChannelResponseException($"The token endpoint answered HTTP {(int)response.StatusCode}: {ChannelHttp.Excerpt(body)}", (int)response.StatusCode);
            }

            TokenResponse? token;
            try
            {
                token = JsonSerializer.Deserialize<TokenResponse>(body);
            }
            catch (JsonException e)
            {
                throw new ChannelResponseException($"The token endpoint's answer is not JSON: {e.Message}");
            }

            if (string.IsNullOrWhiteSpace(token?.AccessToken))
            {
                throw new ChannelResponseException("The token endpoint's answer has no access_token.");
            }

            _token = token.AccessToken;
            _expiresAt = _time.GetUtcNow() + TimeSpan.FromSeconds(Math.Max(0, token.ExpiresIn)) - ExpirySafety;
            return _token;
        }
        finally
        {
            _gate.Release();
        }
    }

    private sealed record TokenResponse(
        [property: System.Text.Json.Serialization.JsonPropertyName("access_token")] string? AccessToken,
        [property: System.Text.Json.Serialization.JsonPropertyName("expires_in")] int ExpiresIn);
}
