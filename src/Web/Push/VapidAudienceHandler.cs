using System.Net.Http.Headers;
using Lib.Net.Http.WebPush.Authentication;
using Microsoft.Extensions.Options;

namespace SalesDash.Web.Push;

/// <summary>
/// Re-signs the VAPID token for the endpoint's full origin when it has a non-default port. Lib.Net.Http.WebPush 3.3.1
/// signs for scheme://host, dropping the port, but RFC 8292 §2 makes "aud" the push resource's origin (RFC 6454),
/// port included, so a push service on :8443 (self-hosted, or a test's) would refuse the token. On 443 nothing changes.
/// </summary>
public sealed class VapidAudienceHandler(VapidKeyProvider keys, IOptions<PushOptions> options) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestUri is { IsAbsoluteUri: true, IsDefaultPort: false } uri
            && string.Equals(request.Headers.Authorization?.Scheme, "vapid", StringComparison.OrdinalIgnoreCase))
        {
            var pair = await keys.GetAsync(cancellationToken);
            using var vapid = new VapidAuthentication(pair.PublicKey, pair.PrivateKey) { Subject = options.Value.Subject };
            request.Headers.Authorization = new AuthenticationHeaderValue("vapid", vapid.GetVapidSchemeAuthenticationHeaderValueParameter(uri.GetLeftPart(UriPartial.Authority)));
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
