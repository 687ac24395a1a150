using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;
using SalesDash.Web.Stores;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Stores;

/// <summary>
/// Secrets at rest: store webhook secrets are encrypted in the database, a rotation answers the new secret once and
/// keeps the old one accepted for the grace period only, and the Data Protection key ring is encrypted with the
/// configured certificate, so a copy of the database alone opens nothing.
/// </summary>
public sealed class WebhookSecretTests
{
    private static readonly DateTimeOffset Placed = WebAppFactory.Now.AddMinutes(-30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rotating_a_webhook_secret_keeps_the_old_one_accepted_for_the_grace_period_then_only_the_new_one()
    {
        await using var app = new WebAppFactory();
        var admin = app.CreateSignedInClient(OrgRole.Admin, "acme");
        const string original = "original-secret-0123456789";
        using (var created = await admin.PostAsJsonAsync("/api/tenants/acme/stores", new
        {
            storeId = "rot-shop", name = "Rotating shop", channel = "Shopify", shopDomain = "rot-shop.myshopify.com",
            currency = "GBP", timeZone = "Europe/London", webhookSecret = original,
        }, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        // Encrypted at rest from the first write.
        Assert.DoesNotContain(original, await StoredSecretAsync(app, "rot-shop"), StringComparison.Ordinal);

        // Who may rotate, and what cannot be rotated.
        using (var viewer = await app.CreateSignedInClient(OrgRole.Viewer, "acme").PostAsync("/api/tenants/acme/stores/rot-shop/webhook-secret/rotate", null, Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        }

        using (var unknown = await admin.PostAsync("/api/tenants/acme/stores/no-such-shop/webhook-secret/rotate", null, Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        }

        using (var configured = await admin.PostAsync("/api/tenants/acme/stores/uk-shop/webhook-secret/rotate", null, Ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, configured.StatusCode);
            Assert.Equal("application/problem+json", configured.Content.Headers.ContentType?.MediaType);
        }

        using var rotation = await admin.PostAsync("/api/tenants/acme/stores/rot-shop/webhook-secret/rotate", null, Ct);
        Assert.Equal(HttpStatusCode.OK, rotation.StatusCode);
        Assert.Equal("no-store", rotation.Headers.CacheControl?.ToString());
        var rotated = (await rotation.Content.ReadFromJsonAsync<RotatedWebhookSecret>(Ct))!;
        Assert.Equal(64, rotated.WebhookSecret.Length);
        Assert.NotEqual(original, rotated.WebhookSecret);
        Assert.Equal(WebAppFactory.Now + TimeSpan.FromHours(48), rotated.PreviousSecretAcceptedUntil);

        // Neither the new secret nor the replaced one is readable in the databases.
        Assert.DoesNotContain(rotated.WebhookSecret, await StoredSecretAsync(app, "rot-shop"), StringComparison.Ordinal);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>().CreateDbContextAsync(Ct);
            await using var _ = db;
            var previous = await db.PreviousWebhookSecrets.SingleAsync(p => p.StoreId == "rot-shop", Ct);
            Assert.DoesNotContain(original, previous.ProtectedSecret, StringComparison.Ordinal);
        }

        // During the grace period both secrets sign deliveries; anything else does not.
        Assert.Equal(HttpStatusCode.OK, await DeliverAsync(app, 1, original));
        Assert.Equal(HttpStatusCode.OK, await DeliverAsync(app, 2, rotated.WebhookSecret));
        Assert.Equal(HttpStatusCode.Unauthorized, await DeliverAsync(app, 3, "not-the-secret-at-all"));

        // After it, only the new one.
        app.Clock.Advance(TimeSpan.FromHours(48) + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, await DeliverAsync(app, 4, original));
        Assert.Equal(HttpStatusCode.OK, await DeliverAsync(app, 5, rotated.WebhookSecret));
    }

    [Fact]
    public async Task The_key_ring_is_encrypted_with_the_configured_certificate_and_a_copy_of_the_database_alone_opens_nothing()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=SalesDash key ring test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var pfx = Convert.ToBase64String(certificate.Export(X509ContentType.Pkcs12, "pfx-password"));

        await using var plain = new WebAppFactory();
        await using var app = new SalesDashHost(new SalesDashHostOptions
        {
            Settings = new Dictionary<string, string> { ["DataProtection:Certificate"] = pfx, ["DataProtection:CertificatePassword"] = "pfx-password" },
        });
        var payload = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("a cookie's content");
        var keys = await KeyRingAsync(app);
        Assert.NotEmpty(keys);
        Assert.All(keys, xml =>
        {
            Assert.Contains("EncryptedData", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<value>", xml, StringComparison.Ordinal);
        });

        // Without the setting (the old behaviour) the master key is in the row as it is: the test can tell.
        plain.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("x");
        Assert.Contains(await KeyRingAsync(plain), xml => xml.Contains("<value>", StringComparison.Ordinal));

        // The rows copied out of the database open nothing without the certificate, and everything with it.
        var copy = Directory.CreateTempSubdirectory("salesdash-keyring-copy-");
        try
        {
            foreach (var (xml, i) in keys.Select((x, i) => (x, i)))
            {
                await File.WriteAllTextAsync(Path.Combine(copy.FullName, $"key-{i}.xml"), xml, Ct);
            }

            var withoutCertificate = DataProtectionProvider.Create(copy, b => b.SetApplicationName("SalesDash")).CreateProtector("test");
            Assert.ThrowsAny<CryptographicException>(() => withoutCertificate.Unprotect(payload));
            var withCertificate = DataProtectionProvider.Create(copy, b => b.SetApplicationName("SalesDash"), certificate).CreateProtector("test");
            Assert.Equal("a cookie's content", withCertificate.Unprotect(payload));
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    private static async Task<List<string>> KeyRingAsync(SalesDashHost app)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>().CreateDbContextAsync(Ct);
        return await db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync(Ct);
    }

    private static async Task<string> StoredSecretAsync(WebAppFactory app, string storeId)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>().CreateDbContextAsync(Ct);
        return await db.Set<StoreRow>().Where(s => s.TenantId == "acme" && s.StoreId == storeId).Select(s => s.WebhookSecret).SingleAsync(Ct);
    }

    private static async Task<HttpStatusCode> DeliverAsync(WebAppFactory app, long orderId, string secret)
    {
        var store = new TestStore("acme", "rot-shop", "rot-shop.myshopify.com", "GBP", "Europe/London", secret);
        var body = new TestOrder(orderId, Placed, Placed, 10m + orderId, 1, null, 0).ToJson("GBP");
        using var response = await app.CreateClient().SendAsync(ShopifyPayloads.Webhook(store, "orders/create", body), Ct);
        return response.StatusCode;
    }
}
