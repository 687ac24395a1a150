using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using SalesDash.Connectors.PayPal;
using SalesDash.Connectors.Shipping;
using SalesDash.Connectors.Stripe;
using SalesDash.Connectors.Tests.Support;
using SalesDash.Connectors.WooCommerce;

namespace SalesDash.Connectors.Tests.Signatures;

public sealed class StripeSignatureTests
{
    private static readonly JsonObject Vector = JsonNode.Parse(File.ReadAllText(SharedFiles.Shared("fixtures", "stripe", "signature-vector.json")))!.AsObject();

    /// <summary>The payload exactly as stripe-dotnet signs it: the fixture file with LF line endings.</summary>
    private static byte[] Payload => Encoding.UTF8.GetBytes(File.ReadAllText(SharedFiles.Shared("fixtures", "stripe", (string)Vector["payload_file"]!)).ReplaceLineEndings("\n"));

    private static string Header => (string)Vector["header_value"]!;

    private static string Secret => (string)Vector["secret"]!;

    private static DateTimeOffset At(string key) => DateTimeOffset.FromUnixTimeSeconds((long)Vector["test_expectations"]![key]!);

    [Fact]
    public void Golden_vector_is_accepted_inside_the_tolerance()
    {
        var check = StripeWebhookSignature.Verify(Payload, Header, Secret, At("accept_when_now"));

        Assert.True(check.IsValid, check.Problem);
    }

    [Fact]
    public void Golden_vector_is_refused_as_a_replay_outside_the_tolerance()
    {
        var check = StripeWebhookSignature.Verify(Payload, Header, Secret, At("reject_when_now"));

        Assert.False(check.IsValid);
        Assert.Equal((string)Vector["test_expectations"]!["reject_message"]!, check.Problem);
    }

    [Fact]
    public void Our_v1_for_the_golden_payload_is_the_one_stripe_sent()
    {
        var v1 = StripeWebhookSignature.ComputeV1(Payload, Secret, (long)Vector["timestamp"]!);

        Assert.Contains($"v1={v1}", Header, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_secret_tampered_body_and_missing_parts_are_refused()
    {
        var now = At("accept_when_now");
        var tampered = Payload.ToArray();
        tampered[^3] ^= 1;

        Assert.False(StripeWebhookSignature.Verify(Payload, Header, "whsec_other", now).IsValid);
        Assert.False(StripeWebhookSignature.Verify(tampered, Header, Secret, now).IsValid);
        Assert.False(StripeWebhookSignature.Verify(Payload, "v1=" + new string('0', 64), Secret, now).IsValid);
        Assert.False(StripeWebhookSignature.Verify(Payload, "t=1533204620", Secret, now).IsValid);
        Assert.False(StripeWebhookSignature.Verify(Payload, null, Secret, now).IsValid);
    }

    [Fact]
    public void Any_of_several_v1_signatures_may_match_while_a_secret_is_rolled()
    {
        var v1 = StripeWebhookSignature.ComputeV1(Payload, Secret, 1533204620);
        var header = $"t=1533204620,v1={new string('a', 64)},v1={v1}";

        Assert.True(StripeWebhookSignature.Verify(Payload, header, Secret, At("accept_when_now")).IsValid);
    }
}

public sealed class WooCommerceSignatureTests
{
    /// <summary>Computed independently with `openssl dgst -sha256 -hmac woo-secret-123 -binary wc_v3_order_retrieve_response.json | base64`.</summary>
    private const string OpensslSignature = "jQXQFe/nMaIeT5j5/4V700buYE0x6DU2ybAE8lL/QTE=";

    private static byte[] Body => File.ReadAllBytes(SharedFiles.Shared("fixtures", "woocommerce", "wc_v3_order_retrieve_response.json"));

    [Fact]
    public void Signature_of_the_documented_order_matches_openssl()
    {
        Assert.Equal(OpensslSignature, WooCommerceWebhookSignature.Compute(Body, "woo-secret-123"));
        Assert.True(WooCommerceWebhookSignature.Verify(Body, OpensslSignature, "woo-secret-123").IsValid);
    }

    [Fact]
    public void Wrong_secret_missing_header_and_junk_are_refused()
    {
        Assert.False(WooCommerceWebhookSignature.Verify(Body, OpensslSignature, "another-secret").IsValid);
        Assert.False(WooCommerceWebhookSignature.Verify(Body, null, "woo-secret-123").IsValid);
        Assert.False(WooCommerceWebhookSignature.Verify(Body, "not base64 at all", "woo-secret-123").IsValid);
        Assert.False(WooCommerceWebhookSignature.Verify(Body, OpensslSignature, "").IsValid);
    }
}

public sealed class EasyPostSignatureTests
{
    /// <summary>
    /// EasyPost's client-library test vector: event-body.json from EasyPost/examples (official/fixtures), serialised compactly
    /// as the libraries do, secret "sécret" (NFKD-normalised before use). The expected value is the one EasyPost's fixtures
    /// carry; a plain UTF-8 key without normalisation would not produce it.
    /// </summary>
    private const string VendorSignature = "hmac-sha256-hex=38f3f53c103713df81616a0a186d77141957323ec21d5fe9363db93840f527db";

    private static byte[] Body => Encoding.UTF8.GetBytes(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Support", "easypost-event-body.json")).TrimEnd('\n'));

    [Fact]
    public void Vendor_vector_verifies_with_the_nfkd_normalised_secret()
    {
        Assert.Equal(VendorSignature, EasyPostWebhookSignature.Compute(Body, "sécret"));
        Assert.True(EasyPostWebhookSignature.Verify(Body, VendorSignature, "sécret").IsValid);
        // The same secret typed with a combining accent (already decomposed) is the same key after NFKD.
        Assert.True(EasyPostWebhookSignature.Verify(Body, VendorSignature, "se\u0301cret").IsValid);
    }

    [Fact]
    public void Wrong_secret_missing_prefix_and_tampered_body_are_refused()
    {
        var tampered = Body.ToArray();
        tampered[10] ^= 1;

        Assert.False(EasyPostWebhookSignature.Verify(Body, VendorSignature, "secret").IsValid);
        Assert.False(EasyPostWebhookSignature.Verify(Body, VendorSignature["hmac-sha256-hex=".Length..], "sécret").IsValid);
        Assert.False(EasyPostWebhookSignature.Verify(tampered, VendorSignature, "sécret").IsValid);
        Assert.False(EasyPostWebhookSignature.Verify(Body, null, "sécret").IsValid);
    }
}

public sealed class PayPalSignatureTests(PayPalSignatureTests.TestPki pki) : IClassFixture<PayPalSignatureTests.TestPki>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 15, 30, 0, TimeSpan.Zero);
    private const string WebhookId = "1JE4291016473214C";
    private const string CertUrl = "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-1d93a270";

    private readonly RSA _key = pki.Key;
    private readonly X509Certificate2 _root = pki.Root;
    private readonly X509Certificate2 _certificate = pki.Certificate;
    private readonly CertificateFetcher _fetcher = new(pki.Certificate);
    private readonly PayPalCertificateTrust _trust = new([X509CertificateLoader.LoadCertificate(pki.Root.Export(X509ContentType.Cert))]);

    private X509Certificate2 Issue(string subject, string dnsName, RSA key) => TestPki.Issue(_root, subject, dnsName, key);

    /// <summary>
    /// A local CA standing in for PayPal's public CA, and the stand-in for the message-verification certificate it issued.
    /// Made once for the class: the two 2,048-bit keys took most of each test's time, and no test changes them.
    /// </summary>
    public sealed class TestPki : IDisposable
    {
        public TestPki()
        {
            var ca = new CertificateRequest("CN=SalesDash Test Root CA", CaKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            ca.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            ca.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            Root = ca.CreateSelfSigned(Now.AddYears(-1), Now.AddYears(5));
            Certificate = Issue(Root, "CN=messageverificationcerts.sandbox.paypal.com", "messageverificationcerts.sandbox.paypal.com", Key);
        }

        public RSA Key { get; } = RSA.Create(2048);

        public RSA CaKey { get; } = RSA.Create(2048);

        public X509Certificate2 Root { get; }

        public X509Certificate2 Certificate { get; }

        public static X509Certificate2 Issue(X509Certificate2 root, string subject, string dnsName, RSA key)
        {
            var leaf = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            leaf.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(dnsName);
            leaf.CertificateExtensions.Add(san.Build());
            return leaf.Create(root, Now.AddDays(-30), Now.AddDays(300), RandomNumberGenerator.GetBytes(12));
        }

        public void Dispose()
        {
            Certificate.Dispose();
            Root.Dispose();
            Key.Dispose();
            CaKey.Dispose();
        }
    }

    private static byte[] Body => Encoding.UTF8.GetBytes(PayPalSamples.CaptureCompleted);

    [Fact]
    public void Crc32_is_the_ieee_checksum_paypal_signs()
    {
        // The standard CRC-32 check value of "123456789" (zlib, PayPal's SDKs).
        Assert.Equal(3421780262u, PayPalWebhookVerifier.Crc32Of("123456789"u8));
        Assert.Equal($"tx-1|2026-11-25T15:29:00Z|{WebhookId}|3421780262", PayPalWebhookVerifier.SignedMessage("tx-1", "2026-11-25T15:29:00Z", WebhookId, "123456789"u8));
    }

    [Fact]
    public async Task Delivery_signed_with_the_certificate_key_is_accepted_and_the_certificate_fetched_once()
    {
        var verifier = new PayPalWebhookVerifier(_fetcher, _trust);

        var first = await verifier.VerifyAsync(Sign(Body, "2026-11-25T15:29:00Z"), Body, WebhookId, Now, TestContext.Current.CancellationToken);
        var second = await verifier.VerifyAsync(Sign(Body, "2026-11-25T15:29:30Z", "tx-2"), Body, WebhookId, Now, TestContext.Current.CancellationToken);

        Assert.True(first.IsValid, first.Problem);
        Assert.True(second.IsValid, second.Problem);
        Assert.Equal(1, _fetcher.Fetches);
    }

    [Fact]
    public async Task Another_webhook_id_a_changed_body_or_another_key_is_refused()
    {
        var verifier = new PayPalWebhookVerifier(_fetcher, _trust);
        var ct = TestContext.Current.CancellationToken;
        var changed = Encoding.UTF8.GetBytes(PayPalSamples.CaptureCompleted.Replace("\"2.51\"", "\"25.10\"", StringComparison.Ordinal));
        using var otherKey = RSA.Create(2048);

        Assert.False((await verifier.VerifyAsync(Sign(Body, "2026-11-25T15:29:00Z"), Body, "OTHER-WEBHOOK", Now, ct)).IsValid);
        Assert.False((await verifier.VerifyAsync(Sign(Body, "2026-11-25T15:29:00Z"), changed, WebhookId, Now, ct)).IsValid);
        Assert.False((await verifier.VerifyAsync(Sign(Body, "2026-11-25T15:29:00Z", key: otherKey), Body, WebhookId, Now, ct)).IsValid);
    }

    [Fact]
    public async Task Stale_transmission_is_refused_as_a_replay()
    {
        var verifier = new PayPalWebhookVerifier(_fetcher, _trust);

        var check = await verifier.VerifyAsync(Sign(Body, "2026-11-25T15:20:00Z"), Body, WebhookId, Now, TestContext.Current.CancellationToken);

        Assert.False(check.IsValid);
        Assert.Contains("tolerance", check.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://api.paypal.com/v1/notifications/certs/CERT-1")]
    [InlineData("https://api.paypal.com.evil.example/certs/CERT-1")]
    [InlineData("https://evilpaypal.com/certs/CERT-1")]
    [InlineData("https://api.paypal.com:8443/certs/CERT-1")]
    [InlineData("https://user@api.paypal.com/certs/CERT-1")]
    public async Task Certificate_url_off_paypal_hosts_is_refused_without_fetching(string certUrl)
    {
        var verifier = new PayPalWebhookVerifier(_fetcher, _trust);

        var check = await verifier.VerifyAsync(Sign(Body, "2026-11-25T15:29:00Z") with { CertUrl = certUrl }, Body, WebhookId, Now, TestContext.Current.CancellationToken);

        Assert.False(check.IsValid);
        Assert.Equal(0, _fetcher.Fetches);
    }

    [Fact]
    public async Task Self_signed_impostor_with_a_paypal_name_is_refused()
    {
        // Same name, same key as the genuine signer, valid signature: only the chain to a trusted root tells them apart.
        var request = new CertificateRequest("CN=messageverificationcerts.sandbox.paypal.com", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var impostor = request.CreateSelfSigned(Now.AddDays(-1), Now.AddDays(10));
        var verifier = new PayPalWebhookVerifier(new CertificateFetcher(impostor), _trust);

        var check = await verifier.VerifyAsync(Sign(Body, "2026-11-25T15:29:00Z"), Body, WebhookId, Now, TestContext.Current.CancellationToken);

        Assert.False(check.IsValid);
        Assert.Contains("not trusted", check.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Certificate_from_another_ca_is_refused()
    {
        using var otherCaKey = RSA.Create(2048);
        var otherCa = new CertificateRequest("CN=Someone Else's CA", otherCaKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        otherCa.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var otherRoot = otherCa.CreateSelfSigned(Now.AddYears(-1), Now.AddYears(5));
        var verifier = new PayPalWebhookVerifier(_fetcher, new PayPalCertificateTrust([X509CertificateLoader.LoadCertificate(otherRoot.Export(X509ContentType.Cert))]));

        var check = await verifier.VerifyAsync(Sign(Body, "2026-11-25T15:29:00Z"), Body, WebhookId, Now, TestContext.Current.CancellationToken);

        Assert.False(check.IsValid);
        Assert.Contains("not trusted", check.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Certificate_fetch_that_was_redirected_is_refused()
    {
        using var http = new HttpClient(new RedirectedAnswer(new Uri("https://evil.example/cert.pem"), _certificate.ExportCertificatePem()));
        var fetcher = new HttpPayPalCertificateFetcher(http);

        await Assert.ThrowsAsync<HttpRequestException>(() => fetcher.FetchAsync(new Uri(CertUrl), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Certificate_chain_is_read_from_the_pem_paypal_serves()
    {
        using var http = new HttpClient(new RedirectedAnswer(null, _certificate.ExportCertificatePem() + "\n" + _root.ExportCertificatePem()));

        var chain = await new HttpPayPalCertificateFetcher(http).FetchAsync(new Uri(CertUrl), TestContext.Current.CancellationToken);

        Assert.Equal([_certificate.Thumbprint, _root.Thumbprint], chain.Select(c => c.Thumbprint));
    }

    [Fact]
    public async Task Certificate_not_issued_to_paypal_is_refused()
    {
        using var foreign = Issue("CN=attacker.example", "attacker.example", _key);
        var verifier = new PayPalWebhookVerifier(new CertificateFetcher(foreign), _trust);

        var check = await verifier.VerifyAsync(Sign(Body, "2026-11-25T15:29:00Z"), Body, WebhookId, Now, TestContext.Current.CancellationToken);

        Assert.False(check.IsValid);
        Assert.Contains("paypal.com", check.Problem, StringComparison.Ordinal);
    }

    private PayPalTransmission Sign(byte[] body, string time, string transmissionId = "69cd13f0-d67a-11e5-baa3-778b53f4ae55", RSA? key = null)
    {
        var message = Encoding.UTF8.GetBytes(PayPalWebhookVerifier.SignedMessage(transmissionId, time, WebhookId, body));
        var signature = (key ?? _key).SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return new PayPalTransmission(transmissionId, time, Convert.ToBase64String(signature), CertUrl, "SHA256withRSA");
    }

    private sealed class CertificateFetcher(X509Certificate2 certificate) : IPayPalCertificateFetcher
    {
        public int Fetches { get; private set; }

        public Task<X509Certificate2Collection> FetchAsync(Uri certUrl, CancellationToken cancellationToken)
        {
            Fetches++;
            // The verifier gets what PayPal serves: the certificate without its private key.
            return Task.FromResult(new X509Certificate2Collection(X509CertificateLoader.LoadCertificate(certificate.Export(X509ContentType.Cert))));
        }
    }

    /// <summary>Answers with the PEM, as if it came from <paramref name="servedFrom"/> (a followed redirect) or from the asked URL.</summary>
    private sealed class RedirectedAnswer(Uri? servedFrom, string pem) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (servedFrom is not null)
            {
                request.RequestUri = servedFrom;
            }

            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent(pem), RequestMessage = request });
        }
    }
}
