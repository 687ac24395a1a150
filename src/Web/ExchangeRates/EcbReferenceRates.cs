using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using SalesDash.Connectors.Currency;

namespace SalesDash.Web.ExchangeRates;

/// <summary>
/// Reads the European Central Bank's euro foreign exchange reference rates in their published XML shape
/// (https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml, also the -hist-90d and -hist files): a
/// gesmes:Envelope holding Cube elements with a time attribute, each holding Cube elements with currency and rate,
/// where rate is units of currency per euro. Pure: tested without a server.
/// </summary>
public static class EcbReferenceRates
{
    /// <summary>The base every ECB reference rate is quoted against.</summary>
    public const string Base = "EUR";

    /// <summary>
    /// Every rate in the document, EUR → currency on its day. A document with nothing to read, or with any entry that is
    /// not a three-letter currency and a positive rate, is refused whole, so a damaged answer never half-replaces good rates.
    /// </summary>
    /// <exception cref="FormatException">The document is not ECB reference rates, or an entry is unreadable.</exception>
    public static IReadOnlyList<ExchangeRate> Parse(string xml, string source)
    {
        ArgumentNullException.ThrowIfNull(xml);
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        XDocument document;
        try
        {
            // No DTDs: the answer comes from the network and an entity expansion must not reach us.
            using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            document = XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            throw new FormatException($"The exchange-rate answer is not XML: {e.Message}", e);
        }

        // Matched by local name: the ECB has kept these names since 2002, and a mirror that drops the namespace still reads.
        var days = document.Descendants().Where(e => e.Name.LocalName == "Cube" && e.Attribute("time") is not null).ToList();
        if (days.Count == 0)
        {
            throw new FormatException("The exchange-rate answer holds no <Cube time='…'> day of ECB reference rates.");
        }

        var rates = new List<ExchangeRate>();
        foreach (var day in days)
        {
            var time = (string)day.Attribute("time")!;
            if (!DateOnly.TryParseExact(time, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                throw new FormatException($"The exchange-rate day '{time}' is not a yyyy-MM-dd date.");
            }

            foreach (var entry in day.Elements().Where(e => e.Name.LocalName == "Cube"))
            {
                var currency = ((string?)entry.Attribute("currency"))?.Trim() ?? "";
                var text = ((string?)entry.Attribute("rate"))?.Trim() ?? "";
                if (currency.Length != 3 || !currency.All(char.IsAsciiLetter))
                {
                    throw new FormatException($"The exchange-rate entry for {date:yyyy-MM-dd} names '{currency}', not a three-letter currency code.");
                }

                if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var rate) || rate <= 0m)
                {
                    throw new FormatException($"The {Base}/{currency.ToUpperInvariant()} rate for {date:yyyy-MM-dd} is '{text}', not a positive number.");
                }

                rates.Add(new ExchangeRate(Base, currency.ToUpperInvariant(), date, rate, source));
            }
        }

        if (rates.Count == 0)
        {
            throw new FormatException("The exchange-rate answer holds days but no rates.");
        }

        return rates;
    }
}
