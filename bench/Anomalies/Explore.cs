using SalesDash.Engine.Anomalies;
using SalesDash.Engine.Anomalies.Nab;

namespace SalesDash.Bench.Anomalies;

/// <summary>
/// Development aid: computes each file's raw evidence once (spectral score on the raw and on the deseasonalised stream,
/// seasonal deviation in robust sigmas) and scores ways of turning it into a detection score under NAB's rules. Every
/// variant uses one setting for all files; nothing is chosen per file.
/// </summary>
internal static class Explore
{
    public static void Run(IReadOnlyList<NabDataFile> files, int windowSize, double sensitivity)
    {
        var evidence = new (double[] Sr, double[] Z, double[] Combined, double[] Cheap)[files.Count];
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, f =>
        {
            var file = files[f];
            var baseline = new SeasonalBaseline(file.TypicalStep(), TimeSpan.FromDays(1), 7, 1);
            var spectral = new SpectralResidualOptions { Sensitivity = sensitivity };
            var raw = new StreamingSrDetector(windowSize, spectral);
            var residual = new StreamingSrDetector(windowSize, spectral);
            var combined = new KpiAnomalyDetector(new KpiAnomalyOptions
            {
                WindowSize = windowSize, Sensitivity = sensitivity, Step = file.TypicalStep(), Season = TimeSpan.FromDays(1), Seasons = 7,
                MinimumSeasons = 2, SlotRadius = 1,
            });
            var n = file.Values.Length;
            var sr = new double[n];
            var z = new double[n];
            var c = new double[n];
            var cheap = new double[n];
            for (var i = 0; i < n; i++)
            {
                var at = new DateTimeOffset(file.Timestamps[i], TimeSpan.Zero);
                var v = file.Values[i];
                var season = baseline.Estimate(at);
                baseline.Add(at, v);
                sr[i] = raw.Push(v)?.RawScore ?? 0;
                cheap[i] = sr[i];
                if (season is { Seasons: >= 2 } s)
                {
                    var spread = Math.Max(s.Spread, 0.05 * Math.Abs(s.Median));
                    z[i] = spread > 0 ? Math.Abs(v - s.Median) / spread : (v == s.Median ? 0 : 10);
                    var onResidual = residual.Push(v - s.Median)?.RawScore ?? 0;
                    sr[i] = Math.Max(sr[i], onResidual);
                    cheap[i] = onResidual;
                }
                else
                {
                    z[i] = double.NaN;
                }

                c[i] = combined.Observe(at, v).Score!.Value;
            }

            evidence[f] = (sr, z, c, cheap);
        });

        var nullFiles = files.Select(f => NabScoredFile.NullDetector(f.Name, f.Timestamps, f.Windows)).ToList();
        var corpora = files.Select(f => f.Corpus).Distinct().Order(StringComparer.Ordinal).ToList();
        void Report(string name, Func<int, double[]> score)
        {
            var scored = files.Select((f, i) => new NabScoredFile(f.Name, f.Timestamps, score(i), f.Windows)).ToList();
            var r = NabEvaluation.Run(files, scored, nullFiles, corpora, NabCostMatrix.Standard);
            Console.WriteLine($"{name,-60} {r.Overall,6:F1}  thr {r.Threshold:F3} TP {r.Counts.TruePositives} FP {r.Counts.FalsePositives}  "
                + string.Join(" ", corpora.Select(c => NabReport.Score(r.PerCorpus[c], 6))));
        }

        double Zs(double z) => double.IsNaN(z) ? 0 : Math.Min(1, z / 10);
        Report("combined (current)", i => evidence[i].Combined);
        Report("sr", i => evidence[i].Sr);
        Report("z/10", i => evidence[i].Z.Select(Zs).ToArray());
        foreach (var history in new[] { 1000, 3000 })
        {
            foreach (var average in new[] { 1, 5 })
            {
                foreach (var suppress in new[] { 50, 200 })
                {
                    double[] L(double[] raw)
                    {
                        var l = new AnomalyLikelihood(history, average, 300, 0.5, suppress);
                        return raw.Select(x => l.Update(x)).ToArray();
                    }

                    var tag = $"h{history} a{average} s{suppress}";
                    Report($"L(combined) {tag}", i => L(evidence[i].Combined));
                    Report($"L(mean(sr,z)) {tag}", i => L(evidence[i].Sr.Zip(evidence[i].Z, (s, z) => double.IsNaN(z) ? s : (s + Zs(z)) / 2).ToArray()));
                    Report($"L(mean(srResidual,z)) {tag}", i => L(evidence[i].Cheap.Zip(evidence[i].Z, (s, z) => double.IsNaN(z) ? s : (s + Zs(z)) / 2).ToArray()));
                }
            }
        }
    }
}
