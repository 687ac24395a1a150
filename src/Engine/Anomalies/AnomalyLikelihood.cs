namespace SalesDash.Engine.Anomalies;

/// <summary>
/// Turns a stream's raw anomaly scores into how unusual the current score is <em>for this stream</em>: the tail
/// probability of the short-term mean score under a normal fitted to the stream's own recent scores, log-scaled to
/// 0..1 (Numenta's "anomaly likelihood", Ahmad et al., Neurocomputing 2017, as NAB's HTM detector uses it).
/// </summary>
/// <remarks>
/// The recent scores are held as blocks of a fixed number of steps (<see cref="BlockSteps"/>, a 96th of the history by
/// default: a quarter hour of a day of minutes), each its count, mean and sum of squared deviations; the distribution is
/// the current block so far and the whole blocks before it that make up the history. It covers between
/// <c>historySteps</c> and one block more, and a stream costs ~100 blocks of 20 bytes instead of a double per step (a day
/// of minutes was 11.5 KB a stream, and a store runs eight such likelihoods). Blocks start where the step number
/// given to <see cref="AlignBlocks"/> is a multiple of the block, so two detectors fed the same steps from different
/// starts (a monitor and its rebuild) hold the same blocks once the older one's first day has left.

/// One fixed threshold on raw scores suits no stream: a noisy stream scores high all day, a smooth one never does.
/// Against a rolling distribution of its own scores, each stream gets its own threshold. After a point reaches
/// <see cref="SuppressAbove"/>, the following <see cref="SuppressSteps"/> points report 0, so one slump is one
/// detection rather than a burst. Until <see cref="LearningSteps"/> scores have been seen it reports 0. Pure and
/// single-threaded: one per stream.
/// </remarks>
public sealed class AnomalyLikelihood
{
    // log(1 - L) / log(1e-10): likelihood 0.9 -> 0.1, 0.99999 -> 0.5, 1 - 1e-10 -> 1; Numenta's log scaling.
    private const double LogScale = -23.02585084720009;

    private const int DefaultBlocks = 96;

    // Block k of the history lives at k % (_wholeBlocks + 1); the slots of blocks the window has passed are emptied as it
    // moves, so a slot holds only the block whose number maps to it within the window. A block's count is not kept: every
    // score is the next step, so it follows from the block's number and the scores seen (Held).
    private readonly double[] _blockMeans;
    private readonly double[] _blockSquares;
    private readonly int _wholeBlocks;
    private readonly double[] _recent;
    private long _count;
    private long _phase;
    private long _block;
    private int _suppressLeft;

    /// <param name="historySteps">Scores the distribution is fitted to (the stream's "normal").</param>
    /// <param name="averageSteps">Scores averaged into the short-term mean that is judged.</param>
    /// <param name="learningSteps">Scores seen before any likelihood is reported.</param>
    /// <param name="suppressAbove">Log-scaled likelihood at which the next <paramref name="suppressSteps"/> points are silenced.</param>
    /// <param name="suppressSteps">Points silenced after a detection; 0 for none.</param>
    /// <param name="blockSteps">Steps per block of history; 0 for a 96th of <paramref name="historySteps"/> (at least 1).</param>
    public AnomalyLikelihood(int historySteps = 1000, int averageSteps = 10, int learningSteps = 300, double suppressAbove = 0.5, int suppressSteps = 0, int blockSteps = 0)
    {
        if (historySteps < 10 || averageSteps < 1 || averageSteps > historySteps || learningSteps < 1 || suppressSteps < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(historySteps), "Need historySteps >= 10, 1 <= averageSteps <= historySteps, learningSteps >= 1, suppressSteps >= 0.");
        }

        if (blockSteps < 0 || blockSteps > historySteps)
        {
            throw new ArgumentOutOfRangeException(nameof(blockSteps), blockSteps, "Must be 0 (the default) or 1..historySteps.");
        }

        if (!(suppressAbove is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(suppressAbove), suppressAbove, "Must be in (0, 1].");
        }

        BlockSteps = blockSteps > 0 ? blockSteps : Math.Max(1, historySteps / DefaultBlocks);
        _wholeBlocks = historySteps / BlockSteps;
        _blockMeans = new double[_wholeBlocks + 1];
        _blockSquares = new double[_wholeBlocks + 1];
        _recent = new double[averageSteps];
        LearningSteps = learningSteps;
        SuppressAbove = suppressAbove;
        SuppressSteps = suppressSteps;
    }

    private AnomalyLikelihood(AnomalyLikelihood other)
    {
        BlockSteps = other.BlockSteps;
        _wholeBlocks = other._wholeBlocks;
        _blockMeans = (double[])other._blockMeans.Clone();
        _blockSquares = (double[])other._blockSquares.Clone();
        _recent = (double[])other._recent.Clone();
        _count = other._count;
        _phase = other._phase;
        _block = other._block;
        _suppressLeft = other._suppressLeft;
        LearningSteps = other.LearningSteps;
        SuppressAbove = other.SuppressAbove;
        SuppressSteps = other.SuppressSteps;
    }

    public int LearningSteps { get; }

    /// <summary>Steps per block of the history.</summary>
    public int BlockSteps { get; }

    /// <summary>
    /// Says which step the next score is (a clock's step number, e.g. minutes since 1970), so blocks start at multiples
    /// of <see cref="BlockSteps"/> of it; only before the first score. Without it blocks start at the first score.
    /// </summary>
    public void AlignBlocks(long step)
    {
        if (_count != 0)
        {
            throw new InvalidOperationException("Blocks are aligned before the first score.");
        }

        _phase = ((step % BlockSteps) + BlockSteps) % BlockSteps;
    }

    /// <summary>Scores seen so far.</summary>
    public long Count => _count;

    /// <summary>An independent copy that goes on exactly as this one would.</summary>
    internal AnomalyLikelihood Clone() => new(this);

    public double SuppressAbove { get; }

    public int SuppressSteps { get; }

    /// <summary>Adds the newest raw score (finite, usually 0..1) and returns its log-scaled likelihood in 0..1.</summary>
    /// <param name="rawScore">The point's evidence.</param>
    /// <param name="certain">
    /// Other evidence already makes the point an anomaly (e.g. a value beyond anything seen): once learnt, its likelihood
    /// is 1, even in a silence, and it starts no silence of its own.
    /// </param>
    public double Update(double rawScore, bool certain = false)
    {
        if (!double.IsFinite(rawScore))
        {
            throw new ArgumentOutOfRangeException(nameof(rawScore), rawScore, "Must be finite.");
        }

        _recent[(int)(_count % _recent.Length)] = rawScore;
        var filled = (int)Math.Min(_count + 1, _recent.Length);
        var average = 0.0;
        for (var k = 0; k < filled; k++)
        {
            average += _recent[(int)((_count + 1 - filled + k) % _recent.Length)];
        }

        average /= filled;

        // The average is judged against the distribution before it joins it, so a slump does not make itself normal.
        MoveTo((_count + _phase) / BlockSteps);
        var (seen, mean, variance) = Distribution();
        var likelihood = 0.0;
        if (_count >= LearningSteps && seen > 1)
        {
            // Numenta's floor on the variance (0.0003, nupic's anomaly_likelihood.estimateNormal), so a stream that scored a
            // near-constant is not alarmed by a hair.
            var sigma = Math.Sqrt(Math.Max(variance, 0.0003));
            var tail = UpperTail((average - mean) / sigma);
            likelihood = Math.Clamp(Math.Log(1.0000000001 - (1 - tail)) / LogScale, 0, 1);
        }

        var learnt = _count >= LearningSteps;
        Join(average);
        _count++;

        var silenced = _suppressLeft > 0;
        if (silenced)
        {
            _suppressLeft--;
        }
        else if (likelihood >= SuppressAbove)
        {
            _suppressLeft = SuppressSteps;
        }

        // Certain evidence is reported even in a silence and starts none: a new extreme inside a slump is still news,
        // and a silence it started would hide the next real change. One alert per slump is the detector's business (it
        // has its own quiet time after any detection). On NAB, out of sample, this scores higher (bench/README.md).
        if (certain && learnt)
        {
            return 1;
        }

        return silenced ? 0 : likelihood;
    }

    // Empties the slots of the blocks the window leaves as it moves on to `block` (all of them after a long jump).
    private void MoveTo(long block)
    {
        var passed = Math.Min(block - _block, _blockMeans.Length);
        for (var k = 1; k <= passed; k++)
        {
            var slot = (int)((_block + k) % _blockMeans.Length);
            _blockMeans[slot] = 0;
            _blockSquares[slot] = 0;
        }

        _block = block;
    }

    // Welford's update of the current block: its mean and squared deviations stay exact to rounding at any count.
    private void Join(double value)
    {
        var slot = (int)(_block % _blockMeans.Length);
        var n = Held(_block) + 1;
        var delta = value - _blockMeans[slot];
        _blockMeans[slot] += delta / n;
        _blockSquares[slot] += delta * (value - _blockMeans[slot]);
    }

    /// <summary>
    /// Count, mean and variance of the held averages, the blocks merged oldest first (Chan et al.'s pairwise update): the
    /// same blocks give the same bits whatever came before them, so a detector rebuilt from retained minutes matches the
    /// live one exactly (running sums over the whole stream would drift).
    /// </summary>
    private (int Count, double Mean, double Variance) Distribution()
    {
        var count = 0;
        var mean = 0.0;
        var squares = 0.0;
        for (var k = _wholeBlocks; k >= 0; k--)
        {
            var block = _block - k;
            if (block < 0)
            {
                continue;
            }

            var slot = (int)(block % _blockMeans.Length);
            var n = Held(block);
            if (n == 0)
            {
                continue;
            }

            var total = count + n;
            var delta = _blockMeans[slot] - mean;
            mean += delta * n / total;
            squares += _blockSquares[slot] + (delta * delta * count * n / total);
            count = total;
        }

        return count == 0 ? (0, 0, 0) : (count, mean, squares / count);
    }

    // Scores block `block` holds so far: the steps phase .. phase + count - 1 that fall in it, as every score is one step.
    private int Held(long block) =>
        (int)Math.Max(0, Math.Min((block + 1) * BlockSteps, _phase + _count) - Math.Max(block * BlockSteps, _phase));

    /// <summary>P(Z > z) for a standard normal, from the complementary error function (Abramowitz–Stegun 7.1.26 is too coarse in the tail).</summary>
    internal static double UpperTail(double z) => 0.5 * Erfc(z / Math.Sqrt(2));

    // Numerical Recipes' erfc (Chebyshev fit, relative error below 1.2e-7 everywhere), enough for a 1e-10 tail.
    private static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + (0.5 * z));
        double[] c = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
        var poly = 0.0;
        for (var i = c.Length - 1; i >= 1; i--)
        {
            poly = (poly + c[i]) * t;
        }

        var r = t * Math.Exp((-z * z) + c[0] + poly);
        return x >= 0 ? r : 2 - r;
    }
}
