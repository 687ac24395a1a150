using System.Text;
using System.Text.RegularExpressions;
using System.Xml;

namespace SalesDash.Web.Plans;

/// <summary>
/// The rules branding must meet before it is stored. The logo ends up in every page, wallboard and e-mail of the
/// organisation, so an SVG that could run script (script elements, event attributes, javascript: links, foreign
/// HTML, external references, DTDs) is refused rather than cleaned: a cleaner that misses one trick is an XSS.
/// </summary>
public static partial class BrandingValidation
{
    public const int MaxProductNameLength = 40;

    /// <summary>100 KB decoded: a crisp header logo is a few KB; this keeps every page's payload small.</summary>
    public const int MaxLogoBytes = 100 * 1024;

    private const string PngPrefix = "data:image/png;base64,";
    private const string SvgPrefix = "data:image/svg+xml;base64,";

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Elements that run script or embed another document.</summary>
    private static readonly HashSet<string> ForbiddenElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "foreignObject", "iframe", "embed", "object", "handler", "listener", "set", "animate",
    };

    /// <summary>Checks the input; an empty answer means it may be stored. Keys name the field.</summary>
    public static Dictionary<string, string[]> Validate(Branding? input)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (input is null)
        {
            errors["body"] = ["Branding needs a productName, a primaryColour and an accentColour."];
            return errors;
        }

        var name = input.ProductName?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            errors["productName"] = ["A product name is required."];
        }
        else if (name.Length > MaxProductNameLength)
        {
            errors["productName"] = [$"A product name is at most {MaxProductNameLength} characters (this one has {name.Length})."];
        }
        else if (name.Any(char.IsControl))
        {
            errors["productName"] = ["A product name cannot contain control characters."];
        }

        if (input.PrimaryColour is null || !Colour().IsMatch(input.PrimaryColour))
        {
            errors["primaryColour"] = ["A colour is written #rrggbb, e.g. #1f6feb."];
        }

        if (input.AccentColour is null || !Colour().IsMatch(input.AccentColour))
        {
            errors["accentColour"] = ["A colour is written #rrggbb, e.g. #f59e0b."];
        }

        if (input.LogoDataUri is { } logo && LogoError(logo) is { } problem)
        {
            errors["logoDataUri"] = [problem];
        }

        return errors;
    }

    /// <summary>The stored form: trimmed name, lower-case colours.</summary>
    public static Branding Normalise(Branding input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new Branding(input.ProductName.Trim(), input.PrimaryColour.ToLowerInvariant(), input.AccentColour.ToLowerInvariant(),
            string.IsNullOrEmpty(input.LogoDataUri) ? null : input.LogoDataUri);
    }

    private static string? LogoError(string logo)
    {
        if (logo.Length == 0)
        {
            return null;
        }

        var isPng = logo.StartsWith(PngPrefix, StringComparison.Ordinal);
        var isSvg = logo.StartsWith(SvgPrefix, StringComparison.Ordinal);
        if (!isPng && !isSvg)
        {
            return $"A logo is a PNG or SVG data URI starting '{PngPrefix}' or '{SvgPrefix}'.";
        }

        var payload = logo[(isPng ? PngPrefix.Length : SvgPrefix.Length)..];
        if (payload.Length > (MaxLogoBytes + 2) / 3 * 4)
        {
            return $"A logo is at most {MaxLogoBytes / 1024} KB.";
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(payload);
        }
        catch (FormatException)
        {
            return "The logo's data is not valid base64.";
        }

        if (bytes.Length > MaxLogoBytes)
        {
            return $"A logo is at most {MaxLogoBytes / 1024} KB.";
        }

        return isPng
            ? bytes.AsSpan().StartsWith(PngSignature) ? null : "The logo says PNG but is not a PNG image."
            : SvgError(bytes);
    }

    private static string? SvgError(byte[] bytes)
    {
        var settings = new XmlReaderSettings
        {
            // A DTD can define entities that expand to script or fetch files; a logo needs none.
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
        };
        try
        {
            using var reader = XmlReader.Create(new StringReader(Encoding.UTF8.GetString(bytes)), settings);
            var sawRoot = false;
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.ProcessingInstruction && reader.Name.Equals("xml-stylesheet", StringComparison.OrdinalIgnoreCase))
                {
                    return "The SVG logo refers to a stylesheet; a logo must be self-contained.";
                }

                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                if (!sawRoot)
                {
                    sawRoot = true;
                    if (reader.LocalName != "svg")
                    {
                        return "The logo says SVG but its root element is not <svg>.";
                    }
                }

                if (ForbiddenElements.Contains(reader.LocalName))
                {
                    return $"The SVG logo contains <{reader.LocalName}>, which can run script; remove it and upload again.";
                }

                if (reader.MoveToFirstAttribute())
                {
                    do
                    {
                        if (reader.LocalName.StartsWith("on", StringComparison.OrdinalIgnoreCase))
                        {
                            return $"The SVG logo has an event attribute '{reader.LocalName}', which runs script; remove it and upload again.";
                        }

                        if (reader.LocalName == "href" && !reader.Value.TrimStart().StartsWith('#'))
                        {
                            return "The SVG logo links outside itself (href); a logo may only refer to its own parts (#id).";
                        }

                        if (reader.Value.Contains("javascript:", StringComparison.OrdinalIgnoreCase)
                            || reader.Value.Contains("url(http", StringComparison.OrdinalIgnoreCase))
                        {
                            return $"The SVG logo's attribute '{reader.LocalName}' refers to script or an outside resource.";
                        }
                    }
                    while (reader.MoveToNextAttribute());
                    reader.MoveToElement();
                }
            }

            return sawRoot ? null : "The SVG logo is empty.";
        }
        catch (XmlException e)
        {
            return $"The SVG logo is not well-formed XML: {e.Message}";
        }
    }

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex Colour();
}
