using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SalesDash.Web.Tests.Push;

/// <summary>A browser's side of a subscription: its P-256 key pair and auth secret, which only the browser (here, the test) holds.</summary>
internal sealed class FakeBrowser : IDisposable
{
    public ECDiffieHellman Key { get; } = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);

    public byte[] AuthSecret { get; } = RandomNumberGenerator.GetBytes(16);

    public byte[] PublicKey
    {
        get
        {
            var q = Key.ExportParameters(false).Q;
            return [0x04, .. q.X!, .. q.Y!];
        }
    }

    /// <summary>The body PushSubscription.toJSON() would give for this browser at <paramref name="endpoint"/>.</summary>
    public object Subscription(string endpoint) => new
    {
        endpoint,
        expirationTime = (long?)null,
        keys = new { p256dh = WebEncoders.Base64UrlEncode(PublicKey), auth = WebEncoders.Base64UrlEncode(AuthSecret) },
    };

    public void Dispose() => Key.Dispose();
}

/// <summary>One push the fake service accepted: the verified token's claims and the decrypted payload.</summary>
internal sealed record ReceivedPush(string Path, string Audience, DateTimeOffset Expires, string Subject, string VapidKey, JsonElement Payload);

/// <summary>
/// A push service on loopback that does what a real one checks (RFC 8292 VAPID token signed ES256 by the key in
/// "k", for this origin, expiring within 24 hours; RFC 8188 aes128gcm content) and decrypts the payload with the
/// browser's private key as the browser would (RFC 8291). Endpoints listed in <see cref="Gone"/> answer 410.
/// </summary>
internal sealed class FakePushService : IAsyncDisposable
{
    private readonly WebApplication _web;

    private FakePushService(WebApplication web, string origin)
    {
        _web = web;
        Origin = origin;
    }

    public string Origin { get; }

    public ConcurrentDictionary<string, FakeBrowser> Browsers { get; } = new();

    public ConcurrentQueue<ReceivedPush> Received { get; } = new();

    /// <summary>Why a push was refused (a failed check), for the assertion message.</summary>
    public ConcurrentQueue<string> Refused { get; } = new();

    public ConcurrentDictionary<string, bool> Gone { get; } = new();

    public string Endpoint(string name) => $"{Origin}/push/{name}";

    public static async Task<FakePushService> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var web = builder.Build();
        FakePushService? service = null;
        web.MapPost("/push/{name}", async (string name, HttpContext context) => await service!.AcceptAsync(name, context));
        await web.StartAsync(cancellationToken);
        var origin = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        service = new FakePushService(web, origin);
        return service;
    }

    private async Task<IResult> AcceptAsync(string name, HttpContext context)
    {
        if (Gone.ContainsKey(name))
        {
            return Results.StatusCode(StatusCodes.Status410Gone);
        }

        if (!Browsers.TryGetValue(name, out var browser))
        {
            return Results.NotFound();
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        try
        {
            var (audience, expires, subject, key) = VerifyVapid(context.Request.Headers.Authorization.ToString());
            if (context.Request.Headers.ContentEncoding.ToString() != "aes128gcm")
            {
                throw new InvalidOperationException($"Content-Encoding is '{context.Request.Headers.ContentEncoding}', not aes128gcm.");
            }

            if (!int.TryParse(context.Request.Headers["TTL"].ToString(), out var ttl) || ttl < 0)
            {
                throw new InvalidOperationException("No TTL header (RFC 8030 requires one).");
            }

            var plain = Decrypt(body.ToArray(), browser);
            Received.Enqueue(new ReceivedPush(name, audience, expires, subject, key, JsonDocument.Parse(plain).RootElement.Clone()));
            return Results.Created($"{Origin}/messages/{Guid.NewGuid():N}", null);
        }
        catch (Exception e) when (e is InvalidOperationException or CryptographicException or FormatException or JsonException)
        {
            Refused.Enqueue(e.Message);
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }
    }

    /// <summary>RFC 8292: "vapid t=JWT, k=public key"; the JWT is ES256-signed by k, aud is our origin, exp within 24 hours.</summary>
    private (string Audience, DateTimeOffset Expires, string Subject, string Key) VerifyVapid(string authorization)
    {
        if (!authorization.StartsWith("vapid ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Authorization is not the vapid scheme: '{authorization}'.");
        }

        var parameters = authorization["vapid ".Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var token = parameters["t"];
        var k = parameters["k"];
        var parts = token.Split('.');
        var header = JsonDocument.Parse(WebEncoders.Base64UrlDecode(parts[0])).RootElement;
        if (header.GetProperty("alg").GetString() != "ES256")
        {
            throw new InvalidOperationException("The token is not ES256.");
        }

        var q = WebEncoders.Base64UrlDecode(k);
        using var key = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = q[1..33], Y = q[33..] } });
        if (!key.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), WebEncoders.Base64UrlDecode(parts[2]), HashAlgorithmName.SHA256))
        {
            throw new InvalidOperationException("The token's signature does not verify with the key in k.");
        }

        var claims = JsonDocument.Parse(WebEncoders.Base64UrlDecode(parts[1])).RootElement;
        var audience = claims.GetProperty("aud").GetString()!;
        if (audience != Origin)
        {
            throw new InvalidOperationException($"aud is '{audience}', not this push service's origin '{Origin}'.");
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(claims.GetProperty("exp").GetInt64());
        if (expires <= DateTimeOffset.UtcNow || expires > DateTimeOffset.UtcNow.AddHours(24))
        {
            throw new InvalidOperationException($"exp {expires:O} is not within the next 24 hours.");
        }

        return (audience, expires, claims.GetProperty("sub").GetString()!, k);
    }

    /// <summary>RFC 8291 §3.4 key derivation and RFC 8188 record decryption, as the browser does it.</summary>
    internal static byte[] Decrypt(byte[] body, FakeBrowser browser)
    {
        var salt = body[..16];
        var recordSize = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(16, 4));
        int idLength = body[20];
        var serverKey = body[21..(21 + idLength)];
        if (idLength != 65 || serverKey[0] != 0x04)
        {
            throw new InvalidOperationException("The keyid is not the application server's uncompressed P-256 key.");
        }

        var ciphertext = body[(21 + idLength)..];
        if (ciphertext.Length > recordSize)
        {
            throw new InvalidOperationException("More than one record: a push payload fits in one.");
        }

        using var server = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = serverKey[1..33], Y = serverKey[33..] },
        });
        var ecdhSecret = browser.Key.DeriveRawSecretAgreement(server.PublicKey);
        var prkKey = HMACSHA256.HashData(browser.AuthSecret, ecdhSecret);
        byte[] keyInfo = [.. "WebPush: info"u8, 0x00, .. browser.PublicKey, .. serverKey, 0x01];
        var ikm = HMACSHA256.HashData(prkKey, keyInfo);
        var prk = HMACSHA256.HashData(salt, ikm);
        byte[] cekInfo = [.. "Content-Encoding: aes128gcm"u8, 0x00, 0x01];
        byte[] nonceInfo = [.. "Content-Encoding: nonce"u8, 0x00, 0x01];
        var cek = HMACSHA256.HashData(prk, cekInfo)[..16];
        var nonce = HMACSHA256.HashData(prk, nonceInfo)[..12];
        var plain = new byte[ciphertext.Length - 16];
        using (var aes = new AesGcm(cek, 16))
        {
            aes.Decrypt(nonce, ciphertext[..^16], ciphertext[^16..], plain);
        }

        // The last record ends with the delimiter 0x02 followed by zero padding (RFC 8188 §2).
        var end = plain.Length - 1;
        while (end >= 0 && plain[end] == 0)
        {
            end--;
        }

        if (end < 0 || plain[end] != 0x02)
        {
            throw new InvalidOperationException("The record does not end with the last-record delimiter.");
        }

        return plain[..end];
    }

    public async ValueTask DisposeAsync()
    {
        await _web.StopAsync();
        await _web.DisposeAsync();
        foreach (var browser in Browsers.Values)
        {
            browser.Dispose();
        }
    }
}
