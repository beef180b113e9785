"""Seeded mistakes and correct variants for the optim task (MNIST with SGD, Adagrad and L-BFGS)."""

from tests.project.corpus.cases import Mistake, Variant

ALL_SGD = ("optim.lowers_loss[sgd]", "optim.test_error[sgd]")
ALL_LBFGS = ("optim.lowers_loss[lbfgs]", "optim.test_error[lbfgs]")


def configs(sgd: str = '{"lr": 0.1, "momentum": 0.9, "batch_size": 64}',
            adagrad: str = '{"lr": 0.05, "batch_size": 64}') -> str:
    """The reference's CONFIGS with one optimiser's settings replaced."""
    return (f'\nCONFIGS = {{"sgd": {sgd}, "adagrad": {adagrad}, "lbfgs": {{"lr": 1.0, "max_iter": 5, '
            '"history_size": 10, "line_search_fn": "strong_wolfe", "batch_size": 1000}}\n')


def training(step: str, closure: str = "closure") -> str:
    """The reference's train_steps, with the body of its loop's last lines replaced by `step`."""
    return f'''
def train_steps(model, optimizer, images, labels, steps, batch_size):
    model.train()
    losses = []
    for _ in range(steps):
        batch = torch.randperm(len(labels))[:batch_size]
        x, y = images[batch], labels[batch]

        def {closure}():
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            return loss

{step}
    return losses
'''


MISTAKES = [
    Mistake("optim: SGD (with momentum) built for 'adagrad'", "optim", '''
def build_optimizer(name, params, config):
    options = {key: value for key, value in config.items() if key not in ("batch_size", "momentum")}
    if name == "lbfgs":
        return torch.optim.LBFGS(params, **options)
    return torch.optim.SGD(params, momentum=0.9, **options)
''', loses=("optim.optimizer_named[adagrad]",), says="`torch.optim.SGD`, not Adagrad"),
    Mistake("optim: L-BFGS stepped without a closure", "optim", training('''\
        loss = closure()
        optimizer.step()
        losses.append(loss.item())'''), loses=ALL_LBFGS, says="needs a closure that re-computes the loss"),
    Mistake("optim: the closure returns a loss computed outside it", "optim", training('''\
        loss = closure()
        optimizer.step(lambda: loss)
        losses.append(loss.item())'''), loses=ALL_LBFGS, says="computed outside it"),
    Mistake("optim: SGD learning rate that diverges", "optim", configs(sgd='{"lr": 50.0, "batch_size": 64}'),
            loses=ALL_SGD, says="diverges"),
    Mistake("optim: Adagrad learning rate far too small", "optim", configs(adagrad='{"lr": 1e-5, "batch_size": 64}'),
            loses=("optim.lowers_loss[adagrad]", "optim.test_error[adagrad]"), says="barely moves the loss"),
    Mistake("optim: configuration values as strings", "optim",
            configs(sgd='{"lr": "0.1", "momentum": "0.9", "batch_size": 64}'),
            loses=("optim.configs", "optim.optimizer_named[sgd]") + ALL_SGD, says="is the string '0.1'"),
    Mistake("optim: build_optimizer hard-codes its SGD settings", "optim", '''
def build_optimizer(name, params, config):
    if name == "sgd":
        return torch.optim.SGD(params, lr=0.1, momentum=0.8)  # not what CONFIGS says (momentum 0.9)
    return CLASSES[name](params, **{key: value for key, value in config.items() if key != "batch_size"})
''', loses=("optim.optimizer_named[sgd]",), says="build it from the configuration"),
    Mistake("optim: accuracy instead of error", "optim", '''
def percent_misclassified(outputs, labels):
    return float(100 * (torch.as_tensor(outputs).argmax(1) == torch.as_tensor(labels)).float().mean())
''', loses=("optim.percent_misclassified",), says="ACCURACY"),
    Mistake("optim: train_steps takes one step too many", "optim", training('''\
        losses.append(optimizer.step(closure).item())
    optimizer.step(closure)'''), loses=("optim.lowers_loss[sgd]", "optim.lowers_loss[adagrad]")
            + ("optim.lowers_loss[lbfgs]", "optim.test_error[sgd]", "optim.test_error[adagrad]", "optim.test_error[lbfgs]"),
            says="exactly"),
]

VARIANTS = [
    Variant("optim: a learning-rate scheduler inside train_steps", "optim", '''
def train_steps(model, optimizer, images, labels, steps, batch_size):
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=max(1, steps // 3), gamma=0.7)
    losses = []
    for _ in range(steps):
        batch = torch.randperm(len(labels))[:batch_size]

        def closure():
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(images[batch]), labels[batch])
            loss.backward()
            return loss

        losses.append(float(optimizer.step(closure)))
        scheduler.step()
    return losses
'''),
    Variant("optim: a closure for L-BFGS only, plain steps for the others", "optim", training('''\
        if isinstance(optimizer, torch.optim.LBFGS):
            losses.append(optimizer.step(closure).item())
        else:
            loss = closure()
            optimizer.step()
            losses.append(loss.item())''')),
]
