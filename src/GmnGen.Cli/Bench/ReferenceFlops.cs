namespace GmnGen.Cli.Bench;

/// <summary>
/// FLOPs the reference GMN implementation spends, used to state metanet throughput as an effective
/// rate comparable with the machine's matrix-product rate: about 12·E·h² per message-passing block
/// forward (its edge and message MLPs over every edge dominate), and three times that for a
/// training step (forward, backward for inputs and for weights).
/// </summary>
public static class ReferenceFlops
{
    public const string Formula = "12·E·h² FLOPs per block forward (reference GMN work); training step = 3 × blocks × 12·E·h²; inference = blocks × 12·E·h²";

    public static double BlockForward(long edges, int hidden) => 12.0 * edges * hidden * (double)hidden;
    public static double Forward(long edges, int hidden, int blocks) => blocks * BlockForward(edges, hidden);
    public static double TrainingStep(long edges, int hidden, int blocks) => 3 * Forward(edges, hidden, blocks);

    /// <summary>FLOPs of GmnGen's own per-edge products in a training step: two E × h × h products per block forward
    /// (4·E·h²), and for each the product for its input's gradient and the one for its weight's gradient backward,
    /// three times the forward's. The node projections and the edge encoder are left out: this is a lower bound.</summary>
    public static double GmnGenTrainingProducts(long edges, int hidden, int blocks) => 3 * blocks * 4.0 * edges * hidden * (double)hidden;
}
