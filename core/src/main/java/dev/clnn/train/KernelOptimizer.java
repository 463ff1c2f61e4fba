package dev.clnn.train;

import dev.clnn.cl.BuildOptions;
import dev.clnn.cl.ClKernel;
import dev.clnn.nn.ParameterStore;

/**
 * What every optimizer here shares: its per-parameter state ({@link OptimizerState}), one kernel of
 * {@code kernels/train/optimizer.cl} made on the first step, the step count, and closing both.
 */
abstract class KernelOptimizer implements Optimizer {
    final OptimizerState state;
    private ClKernel kernel;

    KernelOptimizer(int stateBuffers) {
        this.state = new OptimizerState(stateBuffers);
    }

    /** The update kernel {@code name}, built in the context of {@code params} on first use. */
    ClKernel kernel(ParameterStore params, String name) {
        if (kernel == null) {
            kernel = params.context().kernel("train/optimizer.cl", BuildOptions.none(), name);
        }
        return kernel;
    }

    @Override
    public void reset() {
        state.reset();
    }

    @Override
    public long steps() {
        return state.steps();
    }

    @Override
    public void close() {
        state.close();
        if (kernel != null) {
            kernel.close();
        }
    }
}
